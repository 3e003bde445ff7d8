import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../accounts/password-policy.js';
import type { AdminRole } from '../../db/schema.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { commonErrors, conflictResponse, jsonBody, jsonOk, security } from './common.js';

const AdminUserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(['admin', 'supervisor', 'provider-admin']),
    disabled: z.boolean(),
  })
  .openapi('AdminUser');

const CreateSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, 'expected 1–128 letters, digits or . _ @ -'),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `expected at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024)
    .describe('Checked for strength: common passwords, words and keyboard patterns are refused'),
  role: z
    .enum(['admin', 'supervisor', 'provider-admin'])
    .describe('provider-admin: only a provider admin may grant it, in the provider’s own tenant'),
});

/** People who sign in to the portal (not the agents being recorded: those are /users). */
export function adminUserRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['admin-users'];
  const toJson = (u: { id: string; username: string; role: AdminRole; disabled: boolean }) => ({
    id: u.id,
    username: u.username,
    role: u.role,
    disabled: u.disabled,
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin-users',
      tags,
      security,
      summary: 'Portal accounts of the tenant',
      responses: { 200: jsonOk(z.object({ items: z.array(AdminUserSchema) }), 'Accounts'), ...commonErrors },
    }),
    async (c) =>
      c.json({ items: (await deps.repos.adminUsers.list(c.get('session').tenantId)).map(toJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin-users',
      tags,
      security,
      summary: 'Creates a portal account (admin or supervisor)',
      request: { body: jsonBody(CreateSchema) },
      responses: { 201: jsonOk(AdminUserSchema, 'Created'), ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const body = c.req.valid('json');
      if (body.role === 'provider-admin' && (s.role !== 'provider-admin' || s.tenantId !== s.homeTenantId)) {
        throw new ApiError(
          403,
          'forbidden',
          'role: only a provider admin may create provider admins, in the provider’s own tenant',
          'role',
        );
      }
      const tenant = await deps.repos.tenants.get(s.tenantId);
      const problem = await passwordProblem(body.password, [
        body.username,
        tenant?.slug ?? '',
        tenant?.name ?? '',
      ]);
      if (problem) throw new ApiError(400, 'invalid', `password: ${problem}`, 'password');
      const user = await deps.repos.adminUsers.create(s.tenantId, body).catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') {
          throw new ApiError(409, 'conflict', 'This username is taken', 'username');
        }
        throw error;
      });
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'admin-user.create',
        targetType: 'admin-user',
        targetId: user.id,
        detail: { username: user.username, role: user.role },
        ip: c.get('ip'),
      });
      return c.json(toJson(user), 201);
    },
  );
  return app;
}
