import type { z } from 'zod';

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The object schemas an input may be checked against, looking through wrappers, pipes and unions. */
function objectShapes(schema: z.ZodType, depth = 0): SchemaDef[] {
  if (depth > 16) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return [def];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType ? objectShapes(def.innerType, depth + 1) : [];
    case 'pipe':
      return def.in ? objectShapes(def.in, depth + 1) : [];
    case 'lazy':
      return def.getter ? objectShapes(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((option) => objectShapes(option, depth + 1));
    default:
      return [];
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((row[j - 1] ?? 0) + 1, current + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest valid key, when it is close enough to be a likely misspelling. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of valid) {
    const d = distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

export interface UnknownOption {
  path: string;
  suggestion?: string;
}

/**
 * Keys of `input` that no object schema in `schema` declares, with the nearest valid key. Zod strips such
 * keys silently, which turns a misspelt `pasword` into a stored plain-text value and a missing password.
 * Objects that accept any key (`loose`, `catchall`) are not checked.
 */
export function findUnknownOptions(schema: z.ZodType, input: unknown, root: string): UnknownOption[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const shapes = objectShapes(schema);
  if (!shapes.length || shapes.some((shape) => shape.catchall && defOf(shape.catchall).type !== 'never')) {
    return [];
  }
  const known = [...new Set(shapes.flatMap((shape) => Object.keys(shape.shape ?? {})))];
  const found: UnknownOption[] = [];
  for (const [key, value] of Object.entries(input)) {
    const path = `${root}.${key}`;
    if (!known.includes(key)) {
      const suggestion = nearestKey(key, known);
      found.push(suggestion ? { path, suggestion } : { path });
      continue;
    }
    const children = shapes.flatMap((shape) => (shape.shape?.[key] ? [shape.shape[key]] : []));
    // Under a union the same key may mean different things; only a single meaning is checked deeper.
    if (children.length === 1 && children[0]) found.push(...findUnknownOptions(children[0], value, path));
  }
  return found;
}

export function describeUnknownOptions(unknown: readonly UnknownOption[]): string {
  return unknown
    .map(({ path, suggestion }) =>
      suggestion
        ? `${path}: unknown option; did you mean "${suggestion}"?`
        : `${path}: unknown option; remove it or check its spelling`,
    )
    .join('; ');
}
