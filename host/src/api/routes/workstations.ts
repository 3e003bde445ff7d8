import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { WorkstationView } from '../../db/repos/workstations.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { commonErrors, IdParamSchema, jsonBody, jsonOk, notFoundResponse, security } from './common.js';

const StateSchema = z.enum(['pending', 'authorized', 'forbidden']);

const WorkstationSchema = z
  .object({
    id: z.string(),
    state: StateSchema,
    conflict: z.boolean().describe('Another machine presented this id with a wrong secret'),
    conflictAt: z.string().nullable(),
    computerName: z.string(),
    domain: z.string().nullable(),
    os: z.object({ platform: z.string(), release: z.string() }).nullable(),
    agentVersion: z.string().nullable(),
    captureBackend: z.string().nullable().describe('The capture backend the agent reported'),
    monitors: z.array(z.unknown()),
    login: z.string().nullable(),
    remoteAddress: z.string().nullable(),
    online: z.boolean(),
    firstSeen: z.string(),
    lastSeen: z.string(),
  })
  .openapi('Workstation');

const IdsSchema = z
  .strictObject({ ids: z.array(z.string().min(1).max(128)).min(1).max(1000) })
  .openapi('WorkstationIds');
const BulkResultSchema = z.object({
  changed: z.array(z.string()),
  notFound: z.array(z.string()).describe('Ids that are not workstations of this tenant'),
});

function toJson(w: WorkstationView, online: boolean) {
  return {
    ...w,
    online,
    conflictAt: w.conflictAt?.toISOString() ?? null,
    firstSeen: w.firstSeen.toISOString(),
    lastSeen: w.lastSeen.toISOString(),
  };
}

export function workstationRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['workstations'];
  // The channel knows who is connected right now; the stored flag may be stale after a host crash.
  const onlineOf = (tenantId: string, w: WorkstationView) =>
    deps.hooks.channel ? deps.hooks.channel.isOnline(tenantId, w.id) : w.online;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workstations',
      tags,
      security,
      summary: 'Workstations, filtered by state and searched by domain, computer name or IP address',
      request: {
        query: z.object({
          state: StateSchema.optional(),
          search: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: jsonOk(z.object({ items: z.array(WorkstationSchema), total: z.number() }), 'Workstations'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const tenantId = c.get('session').tenantId;
      const { items, total } = await deps.repos.workstations.list(tenantId, c.req.valid('query'));
      return c.json({ items: items.map((w) => toJson(w, onlineOf(tenantId, w))), total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workstations/{id}',
      tags,
      security,
      summary: 'One workstation',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(WorkstationSchema, 'The workstation'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const tenantId = c.get('session').tenantId;
      const w = await deps.repos.workstations.get(tenantId, c.req.valid('param').id);
      if (!w) throw notFound('Workstation');
      return c.json(toJson(w, onlineOf(tenantId, w)), 200);
    },
  );

  for (const action of ['authorize', 'forbid', 'delete'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/workstations/${action}`,
        tags,
        security,
        summary: `${action[0]!.toUpperCase()}${action.slice(1)}s the listed workstations; connected agents learn it at once`,
        request: { body: jsonBody(IdsSchema) },
        responses: { 200: jsonOk(BulkResultSchema, 'Which ids changed'), ...commonErrors },
      }),
      async (c) => {
        const s = c.get('session');
        const ids = [...new Set(c.req.valid('json').ids)];
        const repo = deps.repos.workstations;
        const changed =
          action === 'delete'
            ? await repo.delete(s.tenantId, ids)
            : await repo.setState(s.tenantId, ids, action === 'authorize' ? 'authorized' : 'forbidden');
        const pushed = action === 'delete' ? 'deleted' : action === 'authorize' ? 'authorized' : 'forbidden';
        for (const id of changed) {
          try {
            deps.hooks.channel?.pushAuthorization(s.tenantId, id, pushed);
          } catch (error) {
            deps.logger.warn({ err: String(error), workstationId: id }, 'Could not push authorization');
          }
        }
        await deps.repos.audit.record(s.tenantId, {
          actorUserId: s.userId,
          action: `workstation.${action}`,
          targetType: 'workstation',
          targetId: null,
          detail: { ids: changed },
          ip: c.get('ip'),
        });
        const done = new Set(changed);
        return c.json({ changed, notFound: ids.filter((id) => !done.has(id)) }, 200);
      },
    );
  }
  return app;
}
