import { capitalize, described } from './components.js';
import type { FormData } from './form.js';

/** The parts of a JSON Schema (from z.toJSONSchema) that the generated form understands. */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  anyOf?: SchemaNode[];
}

const FIELD_PREFIX = 'opt.';

function typeOf(node: SchemaNode): string {
  if (node.enum) return 'enum';
  const t = Array.isArray(node.type) ? node.type.find((x) => x !== 'null') : node.type;
  if (t) return t;
  const inner = node.anyOf?.find((n) => n.type !== 'null');
  return inner ? typeOf(inner) : 'string';
}

/** "maxConnections" → "Max connections". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase()
    .replace(/\b(ms|url|id|ca|kms|ftp|ftps|sftp|ssh)\b/g, (w) => w.toUpperCase());
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Joins help sentences, adding the full stop a schema description may lack. */
function sentence(first: string | undefined, next: string): string {
  if (!first) return next;
  return `${/[.!?)]$/.test(first.trim()) ? first.trim() : `${first.trim()}.`} ${next}`;
}

export interface SchemaFormProps {
  schema: SchemaNode;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  /** Option paths (dotted) that are secrets: never rendered back. */
  secrets: ReadonlySet<string>;
  /** Editing an existing target: blank secrets keep the stored value. */
  editing: boolean;
}

function isSecret(path: string, secrets: ReadonlySet<string>): boolean {
  return secrets.has(path) || secrets.has(path.split('.')[0]!);
}

/** One control per option: text, number, checkbox, select; nested objects become fieldsets. */
export function SchemaFields(props: SchemaFormProps & { path?: string }) {
  const { schema, values, errors } = props;
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, node]) => {
        const path = props.path ? `${props.path}.${key}` : key;
        const id = `o-${path.replace(/\./g, '-')}`;
        const name = `${FIELD_PREFIX}${path}`;
        const value = values[key];
        const error = errors[path];
        const type = typeOf(node);
        const secret = isSecret(path, props.secrets);
        const label = `${humanize(key)}${required.has(key) ? ' *' : ''}`;
        let help = node.description;
        if (node.default !== undefined && node.default !== '' && !secret)
          help = sentence(help, `Default: ${String(node.default)}.`);
        if (secret && props.editing) help = sentence(help, 'A value is stored; leave blank to keep it.');
        if (type === 'object') {
          return (
            <fieldset>
              <legend>{humanize(key)}</legend>
              {node.description ? <p class="help">{node.description}</p> : null}
              <SchemaFields
                {...props}
                schema={node}
                path={path}
                values={(value as Record<string, unknown> | undefined) ?? {}}
              />
            </fieldset>
          );
        }
        const aria = described(id, help, error);
        if (type === 'boolean') {
          const checked = value === undefined ? node.default === true : value === true;
          return (
            <div class="field">
              <label class="check" for={id}>
                <input id={id} name={name} type="checkbox" value="true" checked={checked} {...aria} />
                {humanize(key)}
              </label>
              {help ? (
                <p class="help" id={`${id}-help`}>
                  {help}
                </p>
              ) : null}
              {error ? (
                <p class="error" id={`${id}-error`} role="alert">
                  {capitalize(error)}
                </p>
              ) : null}
            </div>
          );
        }
        let control: unknown;
        const shown = secret || value === undefined || value === null ? '' : String(value);
        if (type === 'enum') {
          const current = value === undefined ? node.default : value;
          control = (
            <select id={id} name={name} {...aria}>
              {node.default === undefined ? <option value="">Not set</option> : null}
              {(node.enum ?? []).map((option) => (
                <option value={String(option)} selected={current === option}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        } else if (type === 'integer' || type === 'number') {
          control = (
            <input
              id={id}
              name={name}
              type="number"
              step={type === 'integer' ? '1' : 'any'}
              min={node.minimum !== undefined ? String(node.minimum) : undefined}
              max={
                node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER
                  ? String(node.maximum)
                  : undefined
              }
              value={shown}
              placeholder={node.default !== undefined ? String(node.default) : ''}
              {...aria}
            />
          );
        } else if (!secret && /PEM/.test(node.description ?? '')) {
          control = (
            <textarea id={id} name={name} spellcheck={false} {...aria}>
              {shown}
            </textarea>
          );
        } else if (secret && /PEM|key/i.test(node.description ?? '') && /key/i.test(key)) {
          control = <textarea id={id} name={name} spellcheck={false} autocomplete="off" {...aria} />;
        } else {
          control = (
            <input
              id={id}
              name={name}
              type={secret ? 'password' : node.format === 'uri' ? 'url' : 'text'}
              autocomplete={secret ? 'new-password' : 'off'}
              value={shown}
              placeholder={
                secret && props.editing ? '(unchanged)' : typeof node.default === 'string' ? node.default : ''
              }
              {...aria}
            />
          );
        }
        return (
          <div class="field">
            <label for={id}>{label}</label>
            {control}
            {help ? (
              <p class="help" id={`${id}-help`}>
                {help}
              </p>
            ) : null}
            {error ? (
              <p class="error" id={`${id}-error`} role="alert">
                {capitalize(error)}
              </p>
            ) : null}
          </div>
        );
      })}
    </>
  );
}

/**
 * Reads the generated fields back into an options object: blank fields are left out (so defaults apply
 * and blank secrets keep their stored value), numbers become numbers when they are numbers, and an
 * unchecked checkbox is false.
 */
export function readSchemaForm(schema: SchemaNode, form: FormData, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    const full = path ? `${path}.${key}` : key;
    const type = typeOf(node);
    if (type === 'object') {
      const nested = readSchemaForm(node, form, full);
      if (Object.keys(nested).length) out[key] = nested;
      continue;
    }
    const raw = form.get(`${FIELD_PREFIX}${full}`);
    if (type === 'boolean') {
      out[key] = raw === 'true';
      continue;
    }
    if (raw === undefined || raw.trim() === '') continue;
    if (type === 'integer' || type === 'number') out[key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else out[key] = type === 'string' || type === 'enum' ? raw : raw.trim();
  }
  return out;
}
