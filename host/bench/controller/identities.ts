import { createHash } from 'node:crypto';

export const BENCH_TOKEN = 'bench-tenant-token-0123456789abcdef';

/** Agent i's id and secret, derived so the host and the agents process agree without exchanging them. */
export function benchIdentity(i: number): { workstationId: string; workstationSecret: string } {
  return {
    workstationId: `bench-agent-${String(i).padStart(8, '0')}`,
    workstationSecret: createHash('sha256').update(`bench-secret-${i}`).digest('base64url'),
  };
}
