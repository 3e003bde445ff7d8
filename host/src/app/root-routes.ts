import { Hono } from 'hono';
import type { Runtime } from './runtime.js';

const notReady = () =>
  new Response(JSON.stringify({ error: { code: 'starting', message: 'the host is still starting' } }), {
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': '2' },
  });

/**
 * The web port's routes: segment uploads and webhook call sources are dispatched before the admin API,
 * so its JSON body limit never applies to a video upload (which tus limits by its own rules).
 */
export function mountRuntimeRoutes(
  runtime: () => Runtime | undefined,
  api: Hono<never> | { fetch: Hono['fetch'] },
  /** Served before the API: the portal's pages and the media routes. */
  pages: Hono<never>[] = [],
): Hono {
  const root = new Hono();
  const uploads = (request: Request) => runtime()?.uploads.handle(request) ?? notReady();
  root.all('/api/uploads', (c) => uploads(c.req.raw));
  root.all('/api/uploads/*', (c) => uploads(c.req.raw));
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
