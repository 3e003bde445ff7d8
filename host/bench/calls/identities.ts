import { createHash } from 'node:crypto';

/** Agent i's workstation id and secret, derived so the host and the agents process agree. */
export function benchAgentIdentity(i: number): { workstationId: string; workstationSecret: string } {
  return {
    workstationId: `bench-call-agent-${String(i).padStart(8, '0')}`,
    workstationSecret: createHash('sha256').update(`bench-call-secret-${i}`).digest('base64url'),
  };
}

export const benchLogin = (i: number) => `BENCH\\agent${i}`;
export const benchExtension = (i: number) => String(100_000 + i);
