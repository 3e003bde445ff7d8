import { LoginSchema } from '@deskrec/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { UserConflictError } from '../../db/repos/users.js';
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

const UserInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    screenRecordingLogin: LoginSchema.nullable()
      .default(null)
      .describe('Windows login: DOMAIN\\login, NETBIOS\\login or login; matched case-insensitively'),
    seatLicence: z
      .boolean()
      .default(false)
      .describe('Screen-recording seat licence: only licensed users are recorded'),
    extensions: z
      .array(
        z
          .string()
          .trim()
          .regex(/^[0-9A-Za-z*#+._-]{1,32}$/, 'expected 1–32 digits, letters or * # + . _ -'),
      )
      .max(50)
      .default([])
      .refine((list) => new Set(list).size === list.length, 'the same extension is listed twice')
      .describe('Phone extensions; each belongs to one user of the tenant'),
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .nullable()
      .default(null)
      .describe('User id in the phone system'),
  })
  .openapi('UserInput');

const UserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    screenRecordingLogin: z.string().nullable(),
    seatLicence: z.boolean(),
    extensions: z.array(z.string()),
    externalId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

type UserView = Awaited<ReturnType<ApiDeps['repos']['users']['get']>> & object;
const toJson = (u: UserView) => ({ ...u, createdAt: u.createdAt.toISOString() });

function conflict(error: unknown): never {
  if (error instanceof UserConflictError) throw new ApiError(409, 'conflict', error.message, error.field);
  throw error;
}

export function userRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['users'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags,
      security,
      summary: 'Lists users (agents), optionally filtered by name or login',
      request: { query: z.object({ search: z.string().max(200).optional() }) },
      responses: { 200: jsonOk(z.object({ items: z.array(UserSchema) }), 'Users'), ...commonErrors },
    }),
    async (c) => {
      const { search } = c.req.valid('query');
      const items = await deps.repos.users.list(c.get('session').tenantId, search);
      return c.json({ items: items.map(toJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags,
      security,
      summary: 'Creates a user',
      request: { body: jsonBody(UserInputSchema) },
      responses: { 201: jsonOk(UserSchema, 'Created'), ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const user = await deps.repos.users.create(s.tenantId, c.req.valid('json')).catch(conflict);
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        ip: c.get('ip'),
      });
      return c.json(toJson(user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      tags,
      security,
      summary: 'One user',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(UserSchema, 'The user'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const user = await deps.repos.users.get(c.get('session').tenantId, c.req.valid('param').id);
      if (!user) throw notFound('User');
      return c.json(toJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/users/{id}',
      tags,
      security,
      summary: 'Replaces a user’s fields',
      request: { params: IdParamSchema, body: jsonBody(UserInputSchema) },
      responses: {
        200: jsonOk(UserSchema, 'Updated'),
        ...commonErrors,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      const user = await deps.repos.users.update(s.tenantId, id, c.req.valid('json')).catch(conflict);
      if (!user) throw notFound('User');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        ip: c.get('ip'),
      });
      return c.json(toJson(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/users/{id}',
      tags,
      security,
      summary: 'Deletes a user (their calls stay, unlinked)',
      request: { params: IdParamSchema },
      responses: { 204: { description: 'Deleted' }, ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      if (!(await deps.repos.users.delete(s.tenantId, id))) throw notFound('User');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        ip: c.get('ip'),
      });
      return c.body(null, 204);
    },
  );
  return app;
}
