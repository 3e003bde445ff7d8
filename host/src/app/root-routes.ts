import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { CallIntake } from '../calls/call-intake.js';
import { UPLOAD_ROUTE, type UploadService } from '../uploads/upload-service.js';
import { applyHeaders, hostSecureHeaders, nodeSecureHeaders } from './secure-headers.js';

const isUploadPath = (url = '/') => {
  const path = url.split('?', 1)[0]!;
  return path === UPLOAD_ROUTE || path.startsWith(`${UPLOAD_ROUTE}/`);
};

export interface HostRoutes {
  /** The address the web server binds (hono's node adapter builds request URLs with it). */
  host: string;
  uploads: Pick<UploadService, 'handle'>;
  intake: Pick<CallIntake, 'httpSource' | 'started'>;
  api: Hono<never> | { fetch: Hono['fetch'] };
  /** Served before the API: the portal's pages and the media routes. */
  pages: Hono<never>[];
}

/**
 * The web port's hono routes: webhook call sources are dispatched before the admin API, so its JSON body
 * limit never applies to them; segment uploads never get here (see `hostRequestListener`).
 */
export function hostRoutes(routes: Omit<HostRoutes, 'host' | 'uploads'>): Hono {
  const root = new Hono();
  root.use('*', hostSecureHeaders);
  root.all('/hooks/:id', async (c) => {
    if (!routes.intake.started)
      return c.json({ error: { code: 'starting', message: 'the host is still starting' } }, 503, {
        'retry-after': '2',
      });
    const source = routes.intake.httpSource(c.req.param('id'));
    if (!source?.handleHttp)
      return c.json({ error: { code: 'not-found', message: 'no webhook source with this id' } }, 404);
    return source.handleHttp(c.req.raw);
  });
  for (const app of routes.pages) root.route('/', app);
  // The node server's bindings (raw request and response) pass through to the API.
  root.all('*', (c) => routes.api.fetch(c.req.raw, c.env as never));
  return root;
}

/**
 * The web port's Node request listener: segment uploads are served from Node's own request and response,
 * before hono, so video bodies never pass through web streams (see uploads/node-body.ts); everything else
 * goes to the hono routes.
 */
export function hostRequestListener(routes: HostRoutes): RequestListener {
  const web = getRequestListener(hostRoutes(routes).fetch, { hostname: routes.host });
  const uploadHeaders = nodeSecureHeaders();
  return (incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (!isUploadPath(incoming.url)) return web(incoming, outgoing);
    // Only a client gone while its answer is written gets here.
    uploadHeaders
      .then((headers) => {
        applyHeaders(outgoing, headers);
        return routes.uploads.handle(incoming, outgoing);
      })
      .catch(() => outgoing.destroy());
  };
}
