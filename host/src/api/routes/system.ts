import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { linesFor } from '../../logging/tenant-lines.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { commonErrors, jsonOk, security } from './common.js';

const LogLineSchema = z.object({
  time: z.string(),
  level: z.string(),
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()),
});

/** The System Log page: recent host log lines from memory. */
export function systemLogRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/system-log',
      tags: ['system'],
      security,
      summary: 'Recent host log lines, newest first',
      request: {
        query: z.object({
          level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
          limit: z.coerce.number().int().min(1).max(5000).default(200),
        }),
      },
      responses: { 200: jsonOk(z.object({ items: z.array(LogLineSchema) }), 'Lines'), ...commonErrors },
    }),
    (c) => {
      const { level, limit } = c.req.valid('query');
      const items = linesFor(c.get('session'), deps.recentLog.query(level, Number.POSITIVE_INFINITY))
        .slice(0, limit)
        .map((l) => ({ time: new Date(l.time).toISOString(), level: l.level, msg: l.msg, fields: l.fields }));
      return c.json({ items }, 200);
    },
  );
  return app;
}

/**
 * Public liveness for load balancers (the status alone); the database and controller detail only for the
 * callers `detailed` admits (config `observability`). Reveals no tenant data.
 */
export function healthRoutes(deps: ApiDeps, detailed: (c: Context) => boolean) {
  const app = new OpenAPIHono<ApiEnv>();
  const HealthSchema = z.object({
    status: z.enum(['ok', 'degraded', 'down']),
    database: z.object({
      ok: z.boolean(),
      kind: z.string(),
      latencyMs: z.number().optional(),
      error: z.string().optional(),
    }),
    controller: z.record(z.string(), z.unknown()),
  });
  const AnswerSchema = z.union([HealthSchema, HealthSchema.pick({ status: true })]);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['system'],
      summary: 'Up or not; database and controller detail for observability.token or observability.allow',
      responses: {
        200: jsonOk(AnswerSchema, 'Up'),
        503: jsonOk(AnswerSchema, 'The database does not answer'),
      },
    }),
    async (c) => {
      let database: z.infer<typeof HealthSchema>['database'];
      try {
        database = {
          ok: true,
          kind: deps.databaseKind,
          latencyMs: Math.round((await deps.pingDatabase()) * 100) / 100,
        };
      } catch (error) {
        database = { ok: false, kind: deps.databaseKind, error: (error as Error).message };
      }
      let controller: Record<string, unknown>;
      try {
        controller = deps.hooks.status?.() ?? { ok: true, attached: false };
      } catch (error) {
        controller = { ok: false, error: (error as Error).message };
      }
      const status: 'ok' | 'degraded' | 'down' = !database.ok
        ? 'down'
        : controller.ok === false
          ? 'degraded'
          : 'ok';
      const body = detailed(c)
        ? { status, database, controller: controller as Record<string, never> }
        : { status };
      return database.ok ? c.json(body, 200) : c.json(body, 503);
    },
  );
  return app;
}
