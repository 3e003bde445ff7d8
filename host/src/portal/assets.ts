import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';

interface Asset {
  path: string;
  body: string;
  type: string;
  etag: string;
}

/** Where scripts/build-portal-assets.mjs writes the bundles; the same folder from src (tsx) and from dist. */
const BUILT = new URL('../../dist/portal-assets/', import.meta.url);

function asset(name: string, file: string, ext: string, type: string): Asset {
  let body: string;
  try {
    body = readFileSync(new URL(file, BUILT), 'utf8');
  } catch (error) {
    throw new Error(
      `The portal's browser assets are not built (${(error as Error).message}); run "npm run build -w @deskrec/host"`,
    );
  }
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/portal/assets/${name}.${hash}.${ext}`, body, type, etag: `"${hash}"` };
}

let loaded: { css: Asset; script: Asset; player: Asset } | undefined;

/**
 * The bundled stylesheet and scripts under content-hashed URLs: a changed file gets a new URL, so each URL
 * can be cached for a year. Read once, on first use.
 */
export function portalAssets() {
  loaded ??= {
    css: asset('portal', 'portal-css.css', 'css', 'text/css; charset=utf-8'),
    script: asset('portal', 'portal.js', 'js', 'text/javascript; charset=utf-8'),
    player: asset('player', 'player.js', 'js', 'text/javascript; charset=utf-8'),
  };
  return loaded;
}

export function assetRoutes(): Hono {
  const app = new Hono();
  for (const a of Object.values(portalAssets())) {
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
