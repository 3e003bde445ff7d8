import type { Context } from 'hono';
import type { PortalDeps } from './deps.js';

export interface ApiResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** The API's error shape: a code, one sentence (issues joined by "; "), and the first field at fault. */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

export function apiError(result: ApiResult): ApiErrorBody['error'] | undefined {
  const body = result.body as Partial<ApiErrorBody> | undefined;
  return result.status >= 400
    ? (body?.error ?? { code: 'unknown', message: `HTTP ${result.status}` })
    : undefined;
}

/**
 * Calls the admin API in-process with the visitor's own session cookie and connection (so the API sees the
 * same user and address and writes the same audit rows).
 */
export async function callApi(
  c: Context,
  deps: PortalDeps,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResult> {
  const headers: Record<string, string> = { cookie: c.req.header('cookie') ?? '' };
  // The session list shows which browser signed in.
  const agent = c.req.header('user-agent');
  if (agent) headers['user-agent'] = agent;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await deps.api.request(
    `http://portal.internal/api${path}`,
    { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) },
    c.env,
  );
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * Splits the API's validation message ("a.b: problem; c: problem") into per-field messages keyed by the
 * top-level field, for showing each next to its input.
 */
export function fieldErrors(error: ApiErrorBody['error']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of error.message.split('; ')) {
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    const field = line.slice(0, colon).split('.')[0]!;
    out[field] ??= line.slice(colon + 2);
  }
  if (error.field && !out[error.field.split('.')[0]!]) out[error.field.split('.')[0]!] = error.message;
  return out;
}
