import { formatDate } from './date-format.js';
import { parseTemplate, type TemplatePart } from './parse.js';
import {
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  sanitizeSegment,
  sanitizeValue,
  truncateUtf8,
} from './sanitize.js';
import { TemplateError } from './template-error.js';
import type { TemplateValues, TemplateVariable } from './variables.js';

export interface RenderOptions {
  /** IANA time zone for date variables; default UTC. */
  timeZone?: string;
}

function renderVariable(
  name: TemplateVariable,
  format: string | undefined,
  values: TemplateValues,
  tz: string,
) {
  const value = values[name];
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return formatDate(value, format ?? '%Y%m%d%H%M%S', tz);
  if (typeof value === 'number') {
    const width = format ? Number(format.slice(1)) : 0;
    return String(Math.trunc(value)).padStart(width, '0');
  }
  return String(value);
}

/**
 * A compiled file-name template. `render` always returns a relative `/`-separated key that stays inside
 * the storage root, whatever the variable values contain.
 */
export class FileNameTemplate {
  private readonly parts: TemplatePart[];

  constructor(readonly source: string) {
    this.parts = parseTemplate(source);
  }

  render(values: TemplateValues, options: RenderOptions = {}): string {
    const tz = options.timeZone ?? 'UTC';
    const segments: string[] = [];
    let current = '';
    for (const part of this.parts) {
      if (part.kind === 'separator') {
        segments.push(current);
        current = '';
      } else if (part.kind === 'literal') {
        current += part.text;
      } else {
        current += truncateUtf8(
          sanitizeValue(renderVariable(part.name, part.format, values, tz)),
          MAX_SEGMENT_BYTES,
        );
      }
    }
    segments.push(current);
    const key = segments.map(sanitizeSegment).join('/');
    if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
      throw new TemplateError(`Rendered name is longer than ${MAX_KEY_BYTES} bytes`, 0);
    }
    return key;
  }
}

export function renderTemplate(template: string, values: TemplateValues, options?: RenderOptions): string {
  return new FileNameTemplate(template).render(values, options);
}
