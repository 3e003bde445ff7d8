import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { RetentionPolicy, RetentionPolicyInput } from '../../db/repos/retention-policies.js';
import { DEFAULT_TARGET_ID } from '../../storage/target-resolver.js';
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

const InputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    action: z.enum(['delete', 'move']).describe('Delete the recording, or move it to another storage target'),
    afterDays: z.number().int().min(1).max(36_500).describe('Days after the recording started'),
    targetId: z
      .string()
      .min(1)
      .max(128)
      .nullable()
      .default(null)
      .describe(`Storage target a move goes to (a target id, or "${DEFAULT_TARGET_ID}"); null for delete`),
    userIds: z
      .array(z.string().min(1).max(128))
      .max(10_000)
      .default([])
      .describe('The users whose recordings the policy covers; empty: every user'),
  })
  .superRefine((value, ctx) => {
    if (value.action === 'move' && !value.targetId)
      ctx.addIssue({
        code: 'custom',
        path: ['targetId'],
        message: 'a move policy needs the storage target to move to',
      });
    if (value.action === 'delete' && value.targetId)
      ctx.addIssue({
        code: 'custom',
        path: ['targetId'],
        message: 'a delete policy takes no storage target (null)',
      });
  })
  .openapi('RetentionPolicyInput');

const PolicySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    action: z.enum(['delete', 'move']),
    afterDays: z.number(),
    targetId: z.string().nullable(),
    userIds: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('RetentionPolicy');

const toJson = (p: RetentionPolicy) => ({
  id: p.id,
  name: p.name,
  action: p.action,
  afterDays: p.afterDays,
  targetId: p.targetId,
  userIds: p.userIds,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export function retentionPolicyRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['retention'];

  /** Checks what the schema cannot: the target and the users exist in this tenant. */
  const checkRefs = async (tenantId: string, input: RetentionPolicyInput) => {
    if (input.targetId && input.targetId !== DEFAULT_TARGET_ID) {
      if (!(await deps.repos.storageTargets.get(tenantId, input.targetId)))
        throw new ApiError(
          400,
          'invalid',
          `targetId: no storage target "${input.targetId}" in this tenant`,
          'targetId',
        );
    }
    for (const [index, userId] of input.userIds.entries()) {
      if (!(await deps.repos.users.get(tenantId, userId)))
        throw new ApiError(
          400,
          'invalid',
          `userIds.${index}: no user "${userId}" in this tenant`,
          `userIds.${index}`,
        );
    }
  };
  const conflict = (name: string) => (error: unknown) => {
    if ((error as { code?: string }).code === '23505')
      throw new ApiError(409, 'conflict', `A retention policy named "${name}" exists already`, 'name');
    throw error;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/retention-policies',
      tags,
      security,
      summary: 'Retention policies of the tenant',
      responses: { 200: jsonOk(z.object({ items: z.array(PolicySchema) }), 'Policies'), ...commonErrors },
    }),
    async (c) => {
      const items = await deps.repos.retentionPolicies.list(c.get('session').tenantId);
      return c.json({ items: items.map(toJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/retention-policies',
      tags,
      security,
      summary: 'Creates a retention policy',
      request: { body: jsonBody(InputSchema) },
      responses: { 201: jsonOk(PolicySchema, 'Created'), ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const body = c.req.valid('json');
      await checkRefs(s.tenantId, body);
      const policy = await deps.repos.retentionPolicies.create(s.tenantId, body).catch(conflict(body.name));
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'retention-policy.create',
        targetType: 'retention-policy',
        targetId: policy.id,
        detail: {
          name: policy.name,
          action: policy.action,
          afterDays: policy.afterDays,
          targetId: policy.targetId,
        },
        ip: c.get('ip'),
      });
      return c.json(toJson(policy), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/retention-policies/{id}',
      tags,
      security,
      summary: 'One retention policy',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(PolicySchema, 'The policy'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const policy = await deps.repos.retentionPolicies.get(
        c.get('session').tenantId,
        c.req.valid('param').id,
      );
      if (!policy) throw notFound('Retention policy');
      return c.json(toJson(policy), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/retention-policies/{id}',
      tags,
      security,
      summary: 'Replaces a retention policy',
      request: { params: IdParamSchema, body: jsonBody(InputSchema) },
      responses: {
        200: jsonOk(PolicySchema, 'Updated'),
        ...commonErrors,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await checkRefs(s.tenantId, body);
      const policy = await deps.repos.retentionPolicies
        .update(s.tenantId, id, body)
        .catch(conflict(body.name));
      if (!policy) throw notFound('Retention policy');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'retention-policy.update',
        targetType: 'retention-policy',
        targetId: id,
        detail: {
          name: policy.name,
          action: policy.action,
          afterDays: policy.afterDays,
          targetId: policy.targetId,
        },
        ip: c.get('ip'),
      });
      return c.json(toJson(policy), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/retention-policies/{id}',
      tags,
      security,
      summary: 'Deletes a retention policy (queued jobs of it then do nothing)',
      request: { params: IdParamSchema },
      responses: { 204: { description: 'Deleted' }, ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      if (!(await deps.repos.retentionPolicies.delete(s.tenantId, id))) throw notFound('Retention policy');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'retention-policy.delete',
        targetType: 'retention-policy',
        targetId: id,
        ip: c.get('ip'),
      });
      return c.body(null, 204);
    },
  );
  return app;
}
