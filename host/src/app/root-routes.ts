import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { sendWebResponse } from '../uploads/node-response.js';
import { UPLOAD_ROUTE } from '../uploads/upload-service.js';
import type { Runtime } from './runtime.js';

const notReady = () =>
  new Response(JSON.stringify({ error: { code: 'starting', message: 'the host is still starting' } }), {
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': '2' },
  });

const isUploadPath = (url = '/') => {
  const path = url.split('?', 1)[0]!;
  return path === UPLOAD_ROUTE || path.startsWith(`${UPLOAD_ROUTE}/`);
};

/**
 * The web port's Node request listener: segment uploads are served from Node's own request and response,
 * before hono, so video bodies never pass through web streams (see uploads/node-body.ts); everything else
 * goes to `web`, the hono app's listener.
 */
export function uploadsBeforeWeb(runtime: () => Runtime | undefined, web: RequestListener): RequestListener {
  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (!isUploadPath(incoming.url)) return web(incoming, outgoing);
    const uploads = runtime()?.uploads;
    const answered = uploads
      ? uploads.handle(incoming, outgoing)
      : sendWebResponse(incoming, outgoing, notReady());
    // Only a client gone while its answer is written gets here.
    answered.catch(() => outgoing.destroy());
  };
}

/**
 * The web port's hono routes: webhook call sources are dispatched before the admin API, so its JSON body
 * limit never applies to them; segment uploads never get here (`uploadsBeforeWeb`).
 */
export function mountRuntimeRoutes(
  runtime: () => Runtime | undefined,
  api: Hono<never> | { fetch: Hono['fetch'] },
  /** Served before the API: the portal's pages and the media routes. */
  pages: Hono<never>[] = [],
): Hono {
  const root = new Hono();
  root.all('/hooks/:id', async (c) => {
    const current = runtime();
    if (!current) return notReady();
    const source = current.intake.httpSource(c.req.param('id'));
    if (!source?.handleHttp)
      return c.json({ error: { code: 'not-found', message: 'no webhook source with this id' } }, 404);
    return source.handleHttp(c.req.raw);
  });
  for (const app of pages) root.route('/', app);
  // The node server's bindings (raw request and response) pass through to the API.
  root.all('*', (c) => api.fetch(c.req.raw, c.env as never));
  return root;
}
