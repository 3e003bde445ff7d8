import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

function hasBody(headers: Headers): boolean {
  const length = headers.get('content-length');
  return headers.has('transfer-encoding') || (length !== null && length !== '0');
}

/**
 * The API takes JSON bodies only. A text/plain or form body is what another site's page can make a browser
 * send without asking first (no CORS preflight), so refusing it keeps cross-site requests out even where
 * a cookie would ride along. Segment uploads (tus) never reach the API's hono app.
 */
export const jsonBodiesOnly: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type');
  if (hasBody(c.req.raw.headers) && !JSON_TYPE.test(type ?? '')) {
    throw new ApiError(
      415,
      'unsupported-media-type',
      `The request body must be sent as application/json (it came as ${type ? `"${type}"` : 'no content type'})`,
    );
  }
  await next();
};

/** API answers are per user and often secret: no browser or proxy keeps a copy. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('cache-control', 'no-store');
};
