import type { SessionUser } from '../db/repos/sessions.js';
import type { LogLine } from './recent-log.js';

/**
 * The host log is shared by every tenant: a provider admin in its own tenant reads all of it, anyone else
 * (and a provider acting in a tenant) only the lines logged for the acted-in tenant.
 */
export function linesFor(
  session: Pick<SessionUser, 'role' | 'tenantId' | 'homeTenantId'>,
  lines: readonly LogLine[],
): LogLine[] {
  if (session.role === 'provider-admin' && session.tenantId === session.homeTenantId) return [...lines];
  return lines.filter((line) => line.fields.tenantId === session.tenantId);
}
