import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { commonErrors, jsonBody, jsonOk, security } from './common.js';

const TenantSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    tokenHint: z.string().describe('Start of the screen-recording token; the token itself is stored hashed'),
    createdAt: z.string(),
  })
  .openapi('Tenant');

/** Single-tenant semantics: an admin sees and edits only the tenant they belong to. */
export function tenantRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['tenant'];

  const load = async (tenantId: string) => {
    const t = await deps.repos.tenants.get(tenantId);
    if (!t) throw notFound('Tenant');
    return t;
  };
  const toJson = (t: Awaited<ReturnType<typeof load>>) => ({
    id: t.id,
    slug: t.slug,
    name: t.name,
    tokenHint: t.token_hint,
    createdAt: new Date(t.created_at).toISOString(),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenant',
      tags,
      security,
      summary: 'The signed-in admin’s tenant',
      responses: { 200: jsonOk(TenantSchema, 'Tenant'), ...commonErrors },
    }),
    async (c) => c.json(toJson(await load(c.get('session').tenantId)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/tenant',
      tags,
      security,
      summary: 'Renames the tenant',
      request: { body: jsonBody(z.strictObject({ name: z.string().trim().min(1).max(200) })) },
      responses: { 200: jsonOk(TenantSchema, 'Tenant'), ...commonErrors },
    }),
    async (c) => {
      const s = c.get('session');
      const t = await deps.repos.tenants.rename(s.tenantId, c.req.valid('json').name);
      if (!t) throw notFound('Tenant');
      return c.json(toJson(t), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenant/token',
      tags,
      security,
      summary: 'The screen-recording token’s hint (the full token is shown only when generated)',
      responses: { 200: jsonOk(z.object({ hint: z.string() }), 'Hint'), ...commonErrors },
    }),
    async (c) => c.json({ hint: (await load(c.get('session').tenantId)).token_hint }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenant/token/reset',
      tags,
      security,
      summary: 'Generates a new token, returned this once; the old one stops admitting new workstations',
      responses: {
        200: jsonOk(z.object({ token: z.string(), hint: z.string() }), 'The new token; store it now'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const token = await deps.repos.tenants.resetToken(s.tenantId);
      if (!token) throw notFound('Tenant');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'tenant.token-reset',
        targetType: 'tenant',
        targetId: s.tenantId,
        ip: c.get('ip'),
      });
      const t = await load(s.tenantId);
      return c.json({ token, hint: t.token_hint }, 200);
    },
  );
  return app;
}
