import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { commonErrors, jsonOk, security } from './common.js';

const iso = (d: Date | undefined) => d?.toISOString();

const ReconcileSchema = z.object({
  at: z.string(),
  trigger: z.enum(['connect', 'pbx-booted', 'periodic', 'shutdown']),
  live: z.number(),
  ended: z.number(),
  started: z.number(),
});

const CallSourceSchema = z
  .object({
    id: z.string(),
    shared: z.boolean().describe('Serves several tenants (tenant: "*")'),
    state: z.enum(['starting', 'connected', 'disconnected', 'stopped']),
    detail: z.string().optional(),
    lastEventAt: z.string().optional(),
    reconnects: z.number(),
    connectedSince: z.string().optional(),
    lastFailure: z.object({ kind: z.string(), detail: z.string(), at: z.string() }).optional(),
    lastReconcile: ReconcileSchema.optional(),
    openCalls: z.number().optional(),
    warnings: z.array(z.string()),
    runsHere: z.boolean().describe('This host runs the source (one host of a cluster runs a PBX connection)'),
    heldBy: z
      .object({ id: z.string(), name: z.string().optional() })
      .optional()
      .describe('The host that runs the source instead of this one'),
  })
  .openapi('CallSource');

/** The call-event sources that feed this tenant: connection, last event, reconnects, last reconcile. */
export function callSourceRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/call-sources',
      tags: ['system'],
      security,
      summary: "Health of the call-event sources of the admin's tenant (and shared ones)",
      responses: { 200: jsonOk(z.object({ items: z.array(CallSourceSchema) }), 'Sources'), ...commonErrors },
    }),
    async (c) => {
      const { tenantId } = c.get('session');
      const slug = (await deps.repos.tenants.get(tenantId))?.slug;
      const items = (deps.hooks.callSources?.() ?? [])
        .filter((s) => s.shared || (s.tenantSlug ? s.tenantSlug === slug : s.tenantId === tenantId))
        .map((s) => {
          const d = s.details;
          return {
            id: s.id,
            shared: s.shared ?? false,
            state: s.state,
            ...(s.detail ? { detail: s.detail } : {}),
            ...(s.lastEventAt ? { lastEventAt: iso(s.lastEventAt) } : {}),
            reconnects: s.reconnects,
            ...(d?.connectedSince ? { connectedSince: iso(d.connectedSince) } : {}),
            ...(d?.lastFailure
              ? { lastFailure: { ...d.lastFailure, at: d.lastFailure.at.toISOString() } }
              : {}),
            ...(d?.lastReconcile
              ? { lastReconcile: { ...d.lastReconcile, at: d.lastReconcile.at.toISOString() } }
              : {}),
            ...(d?.openCalls !== undefined ? { openCalls: d.openCalls } : {}),
            warnings: d?.warnings ?? [],
            runsHere: s.runsHere,
            ...(s.heldBy ? { heldBy: s.heldBy } : {}),
          };
        });
      return c.json({ items }, 200);
    },
  );
  return app;
}
