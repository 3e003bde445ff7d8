import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { CSV_COLUMNS, csvLine, csvRow, type ExportedAuditRow } from '../../audit/export-format.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { commonErrors, security } from './common.js';

const Instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .optional()
  .describe('An ISO 8601 date or date-time (a date means its start, UTC)');

const QuerySchema = z.object({
  format: z.enum(['csv', 'json']).describe('csv (RFC 4180, formula-guarded) or json (an array)'),
  from: Instant.describe('Entries at or after this instant'),
  to: Instant.describe('Entries before this instant'),
});

/** The tenant's audit log as a download, streamed page by page from the database. */
export function auditExportRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit-log/export',
      tags: ['audit'],
      security,
      summary: 'Exports the audit log as CSV or JSON (streamed; admins only)',
      request: { query: QuerySchema },
      responses: {
        200: {
          description: 'The entries, oldest first',
          content: {
            'text/csv': { schema: z.string() },
            'application/json': { schema: z.array(z.unknown()) },
          },
        },
        ...commonErrors,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const query = c.req.valid('query');
      const from = query.from ? new Date(query.from) : undefined;
      const to = query.to ? new Date(query.to) : undefined;
      if (from && to && from >= to)
        throw new ApiError(400, 'invalid', 'query.to: must be after query.from', 'query.to');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'audit-log.export',
        targetType: 'audit-log',
        targetId: null,
        detail: { format: query.format, from: query.from ?? null, to: query.to ?? null },
        ip: c.get('ip'),
      });
      const rows = deps.repos.auditExport.rows(s.tenantId, {
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      const csv = query.format === 'csv';
      const encoder = new TextEncoder();
      let first = true;
      let done = false;
      // Pulled: the next page is read only when the client has taken the previous one.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (done) return;
          if (first && csv) controller.enqueue(encoder.encode(csvLine([...CSV_COLUMNS])));
          const next = await rows.next();
          if (next.done) {
            controller.enqueue(encoder.encode(csv ? '' : first ? '[]\n' : '\n]\n'));
            done = true;
            controller.close();
            return;
          }
          const r = next.value;
          const row: ExportedAuditRow = {
            id: Number(r.id),
            at: new Date(r.at).toISOString(),
            actorUserId: r.actor_user_id,
            actorUsername: r.actor_username,
            action: r.action,
            targetType: r.target_type,
            targetId: r.target_id,
            ip: r.ip,
            detail: r.detail,
          };
          controller.enqueue(
            encoder.encode(csv ? csvRow(row) : `${first ? '[\n' : ',\n'}${JSON.stringify(row)}`),
          );
          first = false;
        },
        async cancel() {
          await rows.return(undefined);
        },
      });
      const stamp = deps.clock.now().toISOString().slice(0, 10);
      return c.body(body, 200, {
        'content-type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="audit-log-${stamp}.${query.format}"`,
        'cache-control': 'no-store',
      });
    },
  );
  return app;
}
