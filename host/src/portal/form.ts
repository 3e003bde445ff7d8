import type { Context } from 'hono';

/** A submitted form as strings (the last value wins) plus every value of repeated fields. */
export interface FormData {
  get(name: string): string | undefined;
  all(name: string): string[];
  has(name: string): boolean;
}

export async function readForm(c: Context): Promise<FormData> {
  const body = await c.req.parseBody({ all: true });
  const values = (name: string): string[] => {
    const v = body[name];
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return list.filter((x): x is string => typeof x === 'string');
  };
  return {
    get: (name) => values(name).at(-1),
    all: values,
    has: (name) => body[name] !== undefined,
  };
}
