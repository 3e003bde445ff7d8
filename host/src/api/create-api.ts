import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { SignInGuard } from '../accounts/sign-in-guard.js';
import type { ApiDeps, ApiEnv } from './deps.js';
import { createErrorHandler, errorJson, validationHook } from './errors.js';
import { jsonBodiesOnly, noStore } from './json-only.js';
import { OBSERVABILITY_REFUSED, observabilityAccess } from './observability-access.js';
import { adminSessionRoutes } from './routes/admin-sessions.js';
import { adminUserRoutes } from './routes/admin-users.js';
import { auditExportRoutes } from './routes/audit-export.js';
import { auditLogRoutes } from './routes/audit-log.js';
import { authRoutes } from './routes/auth.js';
import { callSourceRoutes } from './routes/call-sources.js';
import { legalHoldRoutes } from './routes/legal-hold.js';
import { oidcRoutes } from './routes/oidc.js';
import { retentionPolicyRoutes } from './routes/retention-policies.js';
import { secondFactorRoutes } from './routes/second-factor.js';
import { settingsRoutes } from './routes/settings.js';
import { storageTargetRoutes } from './routes/storage-targets.js';
import { healthRoutes, systemLogRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenant.js';
import { tenantsRoutes } from './routes/tenants.js';
import { userRoutes } from './routes/users.js';
import { workstationRoutes } from './routes/workstations.js';
import { requireAdmin, requireProviderAdmin, requireSession } from './session.js';

/** Paths under /api that need no session. */
const PUBLIC = new Set(['/api/health', '/api/auth/login', '/api/openapi.json']);
// Single sign-on's redirects: the browser arrives without a session.
for (const path of ['/api/auth/oidc/start', '/api/auth/oidc/callback']) PUBLIC.add(path);
PUBLIC.add('/api/auth/login/second-factor');
/** Paths a supervisor may use (besides future calls routes). */
const ANY_ROLE = new Set(['/api/auth/logout', '/api/auth/me', '/api/auth/password']);
/** Tenant management: provider admins only. */
const PROVIDER = /^\/api\/tenants(\/|$)/;

/** The admin API: JSON in and out, every route described in the OpenAPI document at /api/openapi.json. */
export function createApi(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const onError = createErrorHandler((error) =>
    deps.logger.error(
      { err: error instanceof Error ? error.stack : String(error) },
      'Admin API request failed',
    ),
  );
  app.onError(onError);
  app.notFound((c) => errorJson(c, 404, 'not-found', `No route ${c.req.method} ${c.req.path}`));

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    deps.metrics.httpRequests.inc({ method: c.req.method, status: `${Math.floor(c.res.status / 100)}xx` });
    // The path only: query strings may carry search terms, bodies may carry secrets.
    deps.logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'HTTP request',
    );
  });
  app.use('/api/*', noStore);
  app.use('/metrics', noStore);
  app.use('/api/*', jsonBodiesOnly);
  // Counted while streaming, so an oversized body is refused without being held in memory.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) =>
        errorJson(c, 413, 'payload-too-large', `The request body exceeds ${deps.maxBodyBytes} bytes`),
    }),
  );
  const session = requireSession(deps);
  app.use('/api/*', async (c, next) => {
    if (PUBLIC.has(c.req.path) || ANY_ROLE.has(c.req.path)) return next();
    return session(c, async () => {
      await (PROVIDER.test(c.req.path) ? requireProviderAdmin : requireAdmin)(c, next);
    });
  });

  const observer = observabilityAccess(deps.observability);
  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  api.onError(onError);
  api.route('/', healthRoutes(deps, observer));
  // One guard for both sign-in steps: wrong codes count toward the same lock as wrong passwords.
  const signInGuard = new SignInGuard();
  api.route('/', authRoutes(deps, signInGuard));
  api.route('/', oidcRoutes(deps));
  api.route('/', secondFactorRoutes(deps, signInGuard));
  api.route('/', adminSessionRoutes(deps));
  api.route('/', tenantRoutes(deps));
  api.route('/', adminUserRoutes(deps));
  api.route('/', userRoutes(deps));
  api.route('/', settingsRoutes(deps));
  api.route('/', storageTargetRoutes(deps));
  api.route('/', workstationRoutes(deps));
  api.route('/', systemLogRoutes(deps));
  api.route('/', callSourceRoutes(deps));
  api.route('/', tenantsRoutes(deps));
  api.route('/', auditLogRoutes(deps));
  api.route('/', retentionPolicyRoutes(deps));
  api.route('/', legalHoldRoutes(deps));
  api.route('/', auditExportRoutes(deps));
  app.route('/api', api);

  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'deskrec_session',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'deskrec admin API', version: '0.1.0' },
  });

  app.get('/metrics', async (c) => {
    if (!observer(c)) return errorJson(c, 401, 'unauthenticated', OBSERVABILITY_REFUSED);
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
