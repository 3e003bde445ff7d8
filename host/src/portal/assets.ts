import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { PLAYER_SCRIPT } from './assets/player-script.js';
import { PORTAL_CSS } from './assets/portal-css.js';
import { PORTAL_SCRIPT } from './assets/portal-script.js';

interface Asset {
  path: string;
  body: string;
  type: string;
  etag: string;
}

function asset(name: string, ext: string, body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/portal/assets/${name}.${hash}.${ext}`, body, type, etag: `"${hash}"` };
}

/** Content-hashed URLs: a changed file gets a new URL, so each URL can be cached for a year. */
export const ASSETS = {
  css: asset('portal', 'css', PORTAL_CSS, 'text/css; charset=utf-8'),
  script: asset('portal', 'js', PORTAL_SCRIPT, 'text/javascript; charset=utf-8'),
  player: asset('player', 'js', PLAYER_SCRIPT, 'text/javascript; charset=utf-8'),
} as const;

export function assetRoutes(): Hono {
  const app = new Hono();
  for (const a of Object.values(ASSETS)) {
    app.get(a.path, (c) => {
      c.header('cache-control', 'public, max-age=31536000, immutable');
      c.header('etag', a.etag);
      c.header('x-content-type-options', 'nosniff');
      if (c.req.header('if-none-match') === a.etag) return c.body(null, 304);
      c.header('content-type', a.type);
      return c.body(a.body);
    });
  }
  return app;
}
