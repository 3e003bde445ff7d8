import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { commonErrors, jsonOk, security } from './common.js';

const AuditEntrySchema = z
  .object({
    id: z.number(),
    at: z.string(),
    actorUserId: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
  })
  .openapi('AuditEntry');

/** The acting tenant's audit log, newest first. */
export function auditLogRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit-log',
      tags: ['audit'],
      security,
      summary: 'Who changed what in the tenant, newest first',
      request: {
        query: z.strictObject({
          limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Entries to return'),
        }),
      },
      responses: { 200: jsonOk(z.object({ items: z.array(AuditEntrySchema) }), 'Entries'), ...commonErrors },
    }),
    async (c) => {
      const rows = await deps.repos.audit.list(c.get('session').tenantId, c.req.valid('query').limit);
      const items = rows.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        actorUserId: r.actor_user_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        detail: r.detail,
        ip: r.ip,
      }));
      return c.json({ items }, 200);
    },
  );
  return app;
}
