import { validateDateFormat } from './date-format.js';
import { TemplateError } from './template-error.js';
import { isTemplateVariable, TEMPLATE_VARIABLES, type TemplateVariable } from './variables.js';

export type TemplatePart =
  | { kind: 'literal'; text: string }
  | { kind: 'separator' }
  | { kind: 'variable'; name: TemplateVariable; format?: string };

const FORBIDDEN_LITERAL = /[\u0000-\u001f\u007f:*?"<>|]/;

/**
 * Parses `%{name}` / `%{name#format}` templates. `/` and `\` both separate folders; `%%` is a literal
 * percent sign. The template itself must be relative and free of `.`/`..` folders: an admin mistake is
 * reported with its position rather than silently sanitized.
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let segmentStart = 0;
  let segmentText = '';
  let segmentHasVariable = false;

  const flushLiteral = () => {
    if (literal) parts.push({ kind: 'literal', text: literal });
    literal = '';
  };
  const closeSegment = (position: number) => {
    if (!segmentHasVariable && (segmentText === '' || segmentText === '.' || segmentText === '..')) {
      const what =
        segmentText === '' ? 'an empty folder name (leading or doubled separator)' : `"${segmentText}"`;
      throw new TemplateError(`Template has ${what}; names must stay inside the storage root`, segmentStart);
    }
    segmentStart = position + 1;
    segmentText = '';
    segmentHasVariable = false;
  };

  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch === '/' || ch === '\\') {
      closeSegment(i);
      flushLiteral();
      parts.push({ kind: 'separator' });
      continue;
    }
    if (ch === '%') {
      const next = template[i + 1];
      if (next === '%') {
        literal += '%';
        segmentText += '%';
        i++;
        continue;
      }
      if (next !== '{') throw new TemplateError('"%" must start a variable "%{name}" or be doubled "%%"', i);
      const close = template.indexOf('}', i + 2);
      if (close === -1) throw new TemplateError('Variable is not closed with "}"', i);
      const body = template.slice(i + 2, close);
      const hash = body.indexOf('#');
      const name = hash === -1 ? body : body.slice(0, hash);
      const format = hash === -1 ? undefined : body.slice(hash + 1);
      if (!isTemplateVariable(name)) {
        const known = Object.keys(TEMPLATE_VARIABLES).join(', ');
        throw new TemplateError(`Unknown variable "${name}" (known: ${known})`, i + 2);
      }
      const type = TEMPLATE_VARIABLES[name];
      if (format !== undefined) {
        const formatAt = i + 2 + hash + 1;
        if (type === 'date') validateDateFormat(format, formatAt);
        else if (type === 'number') {
          if (!/^0[1-9]$/.test(format))
            throw new TemplateError('Number format must be 0N, e.g. "#03"', formatAt);
        } else throw new TemplateError(`Variable "${name}" takes no format`, formatAt);
        if (/[/\\]/.test(format)) throw new TemplateError('A format cannot contain a separator', formatAt);
      }
      flushLiteral();
      parts.push(format === undefined ? { kind: 'variable', name } : { kind: 'variable', name, format });
      segmentHasVariable = true;
      i = close;
      continue;
    }
    if (FORBIDDEN_LITERAL.test(ch)) {
      throw new TemplateError(`Character ${JSON.stringify(ch)} is not allowed in file names`, i);
    }
    literal += ch;
    segmentText += ch;
  }
  closeSegment(template.length);
  flushLiteral();
  return parts;
}
