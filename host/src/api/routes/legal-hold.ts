import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { notFound } from '../errors.js';
import { commonErrors, IdParamSchema, jsonBody, jsonOk, notFoundResponse, security } from './common.js';

const ReasonSchema = z
  .strictObject({ reason: z.string().trim().min(1, 'give the reason for the hold').max(1000) })
  .openapi('LegalHoldReason');

const HoldSchema = z
  .object({
    callId: z.string(),
    held: z.boolean(),
    reason: z.string().nullable(),
    since: z.string().nullable(),
  })
  .openapi('LegalHold');

const toJson = (row: {
  id: string;
  legal_hold: boolean;
  legal_hold_reason: string | null;
  legal_hold_at: Date | null;
}) => ({
  callId: row.id,
  held: row.legal_hold,
  reason: row.legal_hold_reason,
  since: row.legal_hold_at ? new Date(row.legal_hold_at).toISOString() : null,
});

/** Legal hold on a call: while set, no retention policy deletes or moves its recordings. */
export function legalHoldRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['retention'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/calls/{id}/legal-hold',
      tags,
      security,
      summary: 'Whether the call is on legal hold',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(HoldSchema, 'The hold'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const row = await deps.repos.retention.hold(c.get('session').tenantId, c.req.valid('param').id);
      if (!row) throw notFound('Call');
      return c.json(toJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/legal-hold',
      tags,
      security,
      summary: 'Puts the call on legal hold, with a reason (audited)',
      request: { params: IdParamSchema, body: jsonBody(ReasonSchema) },
      responses: { 200: jsonOk(HoldSchema, 'Held'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const row = await deps.repos.retention.setHold(s.tenantId, id, reason);
      if (!row) throw notFound('Call');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'call.legal-hold.set',
        targetType: 'call',
        targetId: id,
        detail: { reason },
        ip: c.get('ip'),
      });
      return c.json(toJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/calls/{id}/legal-hold',
      tags,
      security,
      summary: 'Lifts the legal hold, with a reason (audited)',
      request: { params: IdParamSchema, body: jsonBody(ReasonSchema) },
      responses: { 200: jsonOk(HoldSchema, 'Released'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const row = await deps.repos.retention.setHold(s.tenantId, id, null);
      if (!row) throw notFound('Call');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'call.legal-hold.release',
        targetType: 'call',
        targetId: id,
        detail: { reason },
        ip: c.get('ip'),
      });
      return c.json(toJson(row), 200);
    },
  );
  return app;
}
