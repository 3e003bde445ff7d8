import { z } from 'zod';

/** One option of a plugin, as the reference shows it. */
export interface OptionRow {
  /** Dotted path, e.g. `tls.rejectUnauthorized`. */
  key: string;
  type: string;
  required: boolean;
  /** JSON text of the default, when there is one. */
  default?: string;
  description?: string;
  secret: boolean;
}

interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

function typeName(node: SchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const union = node.anyOf ?? node.oneOf;
  if (union) return [...new Set(union.map(typeName))].join(' | ');
  const type = Array.isArray(node.type) ? node.type.join(' | ') : node.type;
  if (type === 'array') return `${node.items ? typeName(node.items) : 'unknown'}[]`;
  if (type === 'integer' || type === 'number') {
    // zod writes the safe-integer limits for an int without bounds: those are no bounds to an admin.
    const min = node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER ? node.minimum : '';
    const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : '';
    const bounds = min !== '' || max !== '' ? ` (${min}…${max})` : '';
    return `${type}${bounds}`;
  }
  if (type === 'string' && node.format) return `string (${node.format})`;
  return type ?? 'any';
}

function rows(
  node: SchemaNode,
  prefix: string,
  required: boolean,
  secrets: ReadonlySet<string>,
): OptionRow[] {
  const out: OptionRow[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const isRequired = required && (node.required ?? []).includes(name);
    out.push({
      key,
      type: child.properties ? 'object' : typeName(child),
      required: isRequired,
      ...(child.default !== undefined ? { default: JSON.stringify(child.default) } : {}),
      ...(child.description ? { description: child.description } : {}),
      secret: secrets.has(key),
    });
    // Nested objects are listed key by key; an optional parent makes its children optional too.
    if (child.properties) out.push(...rows(child, key, isRequired, secrets));
  }
  return out;
}

/** The options of a plugin schema as rows, from zod 4's JSON Schema of what a config file may contain. */
export function optionsReference(schema: z.ZodType, secrets: readonly string[] = []): OptionRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
  return rows(json, '', true, new Set(secrets));
}
