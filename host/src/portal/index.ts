import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { assetRoutes } from './assets.js';
import type { PortalDeps } from './deps.js';
import { pageHeaders, requirePageAdmin, requirePageProvider, requirePageSession } from './guards.js';
import { callDetailRoutes } from './pages/call-detail.js';
import { callsListRoutes } from './pages/calls.js';
import { loginRoutes } from './pages/login.js';
import { passwordRoutes } from './pages/password.js';
import { securityRoutes } from './pages/security.js';
import { settingsRoutes } from './pages/settings.js';
import { retentionSettingsRoutes } from './pages/settings-retention.js';
import { storageTargetRoutes } from './pages/storage-targets.js';
import { systemLogRoutes } from './pages/system-log.js';
import { tenantRoutes } from './pages/tenants.js';
import { userRoutes } from './pages/users.js';
import { workstationDetailRoutes } from './pages/workstation-detail.js';
import { workstationRoutes } from './pages/workstations.js';
import type { PortalEnv } from './session.js';

export type { PortalDeps } from './deps.js';

const PAGE_PATHS = ['/', '/calls', '/calls/*', '/admin', '/admin/*', '/account/*', '/login', '/logout'];

/**
 * The web portal: server-rendered pages for calls (with the player) and administration, on the same
 * origin as the admin API. Mount it next to the API and the playback routes on the web port.
 */
export function createPortal(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  app.route('/', assetRoutes());
  const publicOrigin = deps.publicUrl ? new URL(deps.publicUrl).origin : undefined;
  for (const path of PAGE_PATHS) {
    app.use(path, pageHeaders);
    // Forms are same-origin only (the session cookie is SameSite=Strict as well).
    app.use(
      path,
      csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === publicOrigin }),
    );
    app.use(
      path,
      bodyLimit({
        maxSize: deps.maxFormBytes ?? 256 * 1024,
        onError: (c) => c.text('The form is too large', 413),
      }),
    );
  }
  app.route('/', loginRoutes(deps));
  for (const path of ['/', '/calls', '/calls/*', '/admin', '/admin/*', '/account/*'])
    app.use(path, requirePageSession(deps));
  app.use('/admin', requirePageAdmin);
  app.use('/admin/*', requirePageAdmin);
  for (const path of ['/admin/tenants', '/admin/tenants/*', '/admin/tenant-switch'])
    app.use(path, requirePageProvider);
  app.get('/', (c) => c.redirect('/calls', 303));
  app.get('/admin', (c) => c.redirect('/admin/workstations', 303));
  app.route('/', callsListRoutes(deps));
  app.route('/', callDetailRoutes(deps));
  app.route('/', workstationRoutes(deps));
  // After the list's own routes, so /admin/workstations/live.json is not taken for an id.
  app.route('/', workstationDetailRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', settingsRoutes(deps));
  app.route('/', retentionSettingsRoutes(deps));
  app.route('/', storageTargetRoutes(deps));
  app.route('/', systemLogRoutes(deps));
  app.route('/', securityRoutes(deps));
  app.route('/', tenantRoutes(deps));
  app.route('/', passwordRoutes(deps));
  return app;
}
