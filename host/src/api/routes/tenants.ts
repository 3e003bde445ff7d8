import { ScreenRecordingSettingsSchema } from '@deskrec/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../accounts/password-policy.js';
import type { TenantView } from '../../db/repos/tenants.js';
import { isUniqueViolation } from '../../db/secrets.js';
import { DELETE_TENANT_JOB, type DeleteTenantPayload } from '../../jobs/delete-tenant.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import {
  commonErrors,
  conflictResponse,
  IdParamSchema,
  jsonBody,
  jsonOk,
  notFoundResponse,
  security,
} from './common.js';

const ManagedTenantSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    state: z.enum(['active', 'suspended', 'deleting', 'archived']),
    tokenHint: z.string().describe('Start of the screen-recording token; the token itself is stored hashed'),
    createdAt: z.string(),
    stateChangedAt: z.string().nullable(),
  })
  .openapi('ManagedTenant');

const SlugSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
    'expected 1–64 lower-case letters, digits or hyphens, not starting or ending with a hyphen',
  )
  .describe('Typed at sign-in and sent as X-Deskrec-Tenant; cannot be changed');

const NameSchema = z.string().trim().min(1).max(200);

const CreateTenantSchema = z
  .strictObject({
    slug: SlugSchema,
    name: NameSchema,
    admin: z
      .strictObject({
        username: z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, 'expected 1–128 letters, digits or . _ @ -'),
        password: z
          .string()
          .min(MIN_PASSWORD_LENGTH, `expected at least ${MIN_PASSWORD_LENGTH} characters`)
          .max(1024),
      })
      .optional()
      .describe('The tenant’s first admin'),
  })
  .openapi('CreateTenant');

const CreatedTenantSchema = z.object({
  tenant: ManagedTenantSchema,
  token: z.string().describe('The screen-recording token, shown this once; only its hash is stored'),
  adminId: z.string().optional(),
});

const toJson = (t: TenantView) => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  state: t.state,
  tokenHint: t.token_hint,
  createdAt: new Date(t.created_at).toISOString(),
  stateChangedAt: t.state_changed_at ? new Date(t.state_changed_at).toISOString() : null,
});

/**
 * The service provider's tenant management (provider admins only, checked by the API's guard). Every
 * operation is written to the provider's own audit log and, while the tenant exists, to the tenant's.
 */
export function tenantsRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['tenants'];
  const { tenants, audit } = deps.repos;

  const load = async (id: string) => {
    const t = await tenants.get(id);
    if (!t || t.state === 'archived') throw notFound('Tenant');
    return t;
  };
  const notOwn = (homeTenantId: string, id: string, what: string) => {
    if (id === homeTenantId) {
      throw new ApiError(409, 'own-tenant', `The provider’s own tenant cannot be ${what}`);
    }
  };
  const record = async (
    c: { get(key: 'session'): ApiEnv['Variables']['session']; get(key: 'ip'): string | null },
    action: string,
    tenant: Pick<TenantView, 'id' | 'slug'>,
    detail: Record<string, unknown> = {},
  ) => {
    const s = c.get('session');
    const entry = {
      actorUserId: s.userId,
      action,
      targetType: 'tenant',
      targetId: tenant.id,
      detail: { slug: tenant.slug, ...detail },
      ip: c.get('ip'),
    };
    await audit.record(s.homeTenantId, entry);
    if (tenant.id !== s.homeTenantId && (await tenants.get(tenant.id))) {
      await audit.record(tenant.id, { ...entry, detail: { ...entry.detail, byProvider: s.username } });
    }
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants',
      tags,
      security,
      summary: 'Every tenant of the installation (provider admins)',
      responses: {
        200: jsonOk(z.object({ items: z.array(ManagedTenantSchema) }), 'Tenants'),
        ...commonErrors,
      },
    }),
    async (c) => c.json({ items: (await tenants.list()).map(toJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants',
      tags,
      security,
      summary: 'Creates a tenant with its own token, default settings and optionally its first admin',
      request: { body: jsonBody(CreateTenantSchema) },
      responses: {
        201: jsonOk(CreatedTenantSchema, 'Created; store the token now'),
        ...commonErrors,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.admin) {
        const problem = await passwordProblem(body.admin.password, [
          body.admin.username,
          body.slug,
          body.name,
        ]);
        if (problem) throw new ApiError(400, 'invalid', `admin.password: ${problem}`, 'admin.password');
      }
      const created = await tenants.create({ slug: body.slug, name: body.name }).catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new ApiError(409, 'conflict', `slug: a tenant "${body.slug}" exists already`, 'slug');
        }
        throw error;
      });
      const { tenant, token } = created;
      await deps.repos.settings.put(tenant.id, ScreenRecordingSettingsSchema.parse({}));
      const admin = body.admin
        ? await deps.repos.adminUsers.create(tenant.id, { ...body.admin, role: 'admin' })
        : undefined;
      await record(c, 'tenant.create', tenant, admin ? { admin: admin.username } : {});
      return c.json({ tenant: toJson(tenant), token, ...(admin ? { adminId: admin.id } : {}) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{id}',
      tags,
      security,
      summary: 'One tenant',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(ManagedTenantSchema, 'Tenant'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => c.json(toJson(await load(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/tenants/{id}',
      tags,
      security,
      summary: 'Renames a tenant (its slug stays)',
      request: { params: IdParamSchema, body: jsonBody(z.strictObject({ name: NameSchema })) },
      responses: { 200: jsonOk(ManagedTenantSchema, 'Tenant'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const before = await load(c.req.valid('param').id);
      const { name } = c.req.valid('json');
      const t = await tenants.rename(before.id, name);
      if (!t) throw notFound('Tenant');
      await record(c, 'tenant.rename', t, { from: before.name, to: name });
      return c.json(toJson(t), 200);
    },
  );

  for (const [verb, to, from, summary] of [
    ['suspend', 'suspended', 'active', 'Suspends a tenant: its agents, sign-ins and API use are refused'],
    ['resume', 'active', 'suspended', 'Resumes a suspended tenant'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/tenants/{id}/${verb}`,
        tags,
        security,
        summary,
        request: { params: IdParamSchema },
        responses: {
          200: jsonOk(ManagedTenantSchema, 'Tenant'),
          ...commonErrors,
          ...notFoundResponse,
          ...conflictResponse,
        },
      }),
      async (c) => {
        const s = c.get('session');
        const before = await load(c.req.valid('param').id);
        notOwn(s.homeTenantId, before.id, 'suspended');
        const t = await tenants.setState(before.id, to, [from]);
        if (!t) throw new ApiError(409, 'conflict', `The tenant is ${before.state}, so it cannot ${verb}`);
        if (to === 'suspended') {
          const closed = deps.hooks.channel?.disconnectTenant?.(t.id, 'the tenant was suspended') ?? 0;
          await record(c, 'tenant.suspend', t, { agentsDisconnected: closed });
        } else {
          await record(c, 'tenant.resume', t);
        }
        return c.json(toJson(t), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tenants/{id}',
      tags,
      security,
      summary: 'Deletes a tenant in a background job: archived or removed per tenants.deletion',
      request: { params: IdParamSchema },
      responses: {
        202: jsonOk(ManagedTenantSchema.extend({ jobId: z.number() }), 'Deletion started'),
        ...commonErrors,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const before = await load(c.req.valid('param').id);
      notOwn(s.homeTenantId, before.id, 'deleted');
      const t = await tenants.setState(before.id, 'deleting', ['active', 'suspended']);
      if (!t) throw new ApiError(409, 'conflict', 'The tenant is being deleted already');
      deps.hooks.channel?.disconnectTenant?.(t.id, 'the tenant is being deleted');
      const payload: DeleteTenantPayload = { tenantId: t.id, slug: t.slug, actorUserId: s.userId };
      const jobId = await deps.repos.jobs.enqueue(s.homeTenantId, DELETE_TENANT_JOB, { ...payload });
      deps.jobSignal?.notify();
      await record(c, 'tenant.delete', t, { jobId });
      return c.json({ ...toJson(t), jobId }, 202);
    },
  );
  return app;
}
