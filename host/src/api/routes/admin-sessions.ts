import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { sessionHandle } from '../../db/repos/sessions.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { commonErrors, IdParamSchema, jsonOk, notFoundResponse, security } from './common.js';

const SessionSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean().describe('The session making this request'),
  })
  .openapi('AdminSession');

/**
 * The signed-in admin's own sessions: where and when each was used, and revoking one or all the others.
 * A revoked session's next request is refused (sessions are looked up on every request).
 */
export function adminSessionRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const audit = (c: Context<ApiEnv>, detail: Record<string, unknown>) => {
    const s = c.get('session');
    return deps.repos.audit.record(s.tenantId, {
      actorUserId: s.userId,
      action: 'auth.session-revoked',
      targetType: 'admin-user',
      targetId: s.userId,
      detail,
      ip: c.get('ip'),
    });
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/sessions',
      tags: ['auth'],
      summary: "The signed-in user's sessions, most recently used first",
      security,
      responses: { 200: jsonOk(z.object({ items: z.array(SessionSchema) }), 'Sessions'), ...commonErrors },
    }),
    async (c) => {
      const s = c.get('session');
      const current = sessionHandle(s.sessionId);
      const items = (await deps.repos.sessions.listForUser(s.tenantId, s.userId, deps.clock.now())).map(
        (v) => ({
          id: v.id,
          createdAt: v.createdAt.toISOString(),
          lastUsedAt: v.lastUsedAt?.toISOString() ?? null,
          expiresAt: v.expiresAt.toISOString(),
          ip: v.ip,
          userAgent: v.userAgent,
          current: v.id === current,
        }),
      );
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/auth/sessions/{id}',
      tags: ['auth'],
      summary: 'Revokes one of your sessions (the current one too: that signs you out)',
      security,
      request: { params: IdParamSchema },
      responses: { 204: { description: 'Revoked' }, ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      if (!(await deps.repos.sessions.deleteByHandle(s.tenantId, s.userId, id))) throw notFound('Session');
      await audit(c, { session: id, current: id === sessionHandle(s.sessionId) });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/sessions/revoke-others',
      tags: ['auth'],
      summary: 'Revokes every session of yours but this one',
      security,
      responses: { 200: jsonOk(z.object({ revoked: z.number().int() }), 'Revoked'), ...commonErrors },
    }),
    async (c) => {
      const s = c.get('session');
      const revoked = await deps.repos.sessions.deleteForUser(s.tenantId, s.userId, s.sessionId);
      await audit(c, { others: revoked });
      return c.json({ revoked }, 200);
    },
  );
  return app;
}
