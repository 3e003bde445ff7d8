import type { AuthPolicy, Clock, ControllerSettings, Logger } from '@deskrec/core';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { WorkstationDirectory } from '../workstations/ports.js';

/** Tunables of the controller channel; defaults suit thousands of agents on one host. */
export const ControllerTuningSchema = z.object({
  host: z.string().min(1).default('0.0.0.0').describe('Address both listeners bind to'),
  ephemeralPorts: z
    .boolean()
    .default(false)
    .describe(
      'Bind each enabled listener to a free port the OS picks instead of the configured one (tests, benchmarks); status() reports it',
    ),
  heartbeatIntervalMs: z
    .number()
    .int()
    .min(50)
    .max(600_000)
    .default(30_000)
    .describe('Each agent is pinged this often; one that misses a whole interval is dropped'),
  helloTimeoutMs: z
    .number()
    .int()
    .min(50)
    .max(120_000)
    .default(10_000)
    .describe('A new connection must send hello (and finish its TLS handshake) within this time'),
  maxBufferedBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .default(1024 * 1024)
    .describe('An agent whose unsent output exceeds this is not reading: its connection is dropped'),
  maxInvalidMessages: z
    .number()
    .int()
    .min(1)
    .default(50)
    .describe('Invalid messages one connection may send before it is closed'),
  seenIntervalMs: z
    .number()
    .int()
    .min(0)
    .default(60_000)
    .describe('Agent heartbeats update "last seen" in the database at most this often per agent'),
  maxConnections: z
    .number()
    .int()
    .min(1)
    .default(20_000)
    .describe(
      'Open sockets on all controller ports together; more are cut at once (keeps file descriptors for the rest)',
    ),
  maxConnectionsPerAddress: z
    .number()
    .int()
    .min(1)
    .default(1_000)
    .describe(
      'Open sockets from one IP address; keep it above the agents of the largest office behind one NAT',
    ),
  enrollmentsPerMinute: z
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('New workstations one tenant token may enroll per minute'),
  maxPendingWorkstations: z
    .number()
    .int()
    .min(1)
    .default(1_000)
    .describe('Workstations one tenant may have waiting for authorization; further new ones are refused'),
  stopGraceMs: z
    .number()
    .int()
    .min(0)
    .default(1_000)
    .describe('On stop, agents get this long to answer the close frame before their sockets are cut'),
});
export type ControllerTuning = z.output<typeof ControllerTuningSchema>;

export interface ControllerOptions extends Partial<z.input<typeof ControllerTuningSchema>> {
  /** Ports and TLS files, as configured (core's ControllerSettingsSchema). */
  settings: ControllerSettings;
  /** Generated TLS key and certificate go to `<dataDir>/tls/` when the settings name no files. */
  dataDir: string;
  directory: WorkstationDirectory;
  authPolicy: AuthPolicy;
  logger?: Logger;
  clock?: Clock;
  /** Where the controller's metrics are registered; a private registry when absent. */
  metricsRegistry?: Registry;
}
