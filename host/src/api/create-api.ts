import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { ApiDeps, ApiEnv } from './deps.js';
import { createErrorHandler, errorJson, validationHook } from './errors.js';
import { adminUserRoutes } from './routes/admin-users.js';
import { auditExportRoutes } from './routes/audit-export.js';
import { authRoutes } from './routes/auth.js';
import { callSourceRoutes } from './routes/call-sources.js';
import { legalHoldRoutes } from './routes/legal-hold.js';
import { retentionPolicyRoutes } from './routes/retention-policies.js';
import { settingsRoutes } from './routes/settings.js';
import { storageTargetRoutes } from './routes/storage-targets.js';
import { healthRoutes, systemLogRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenant.js';
import { userRoutes } from './routes/users.js';
import { workstationRoutes } from './routes/workstations.js';
import { requireAdmin, requireSession } from './session.js';

/** Paths under /api that need no session. */
const PUBLIC = new Set(['/api/health', '/api/auth/login', '/api/openapi.json']);
/** Paths a supervisor may use (besides future calls routes). */
const ANY_ROLE = new Set(['/api/auth/logout', '/api/auth/me']);

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
      await requireAdmin(c, next);
    });
  });

  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  api.onError(onError);
  api.route('/', healthRoutes(deps));
  api.route('/', authRoutes(deps));
  api.route('/', tenantRoutes(deps));
  api.route('/', adminUserRoutes(deps));
  api.route('/', userRoutes(deps));
  api.route('/', settingsRoutes(deps));
  api.route('/', storageTargetRoutes(deps));
  api.route('/', workstationRoutes(deps));
  api.route('/', systemLogRoutes(deps));
  api.route('/', callSourceRoutes(deps));
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
    c.header('content-type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return app;
}
