import { ControllerSettingsSchema, PluginEntrySchema } from '@deskrec/core';
import { z } from 'zod';
import { OidcConfigSchema } from '../accounts/oidc/oidc-config.js';
import { ControllerTuningSchema } from '../controller/options.js';
import { isCidr } from '../net/address-policy.js';
import { PbxRecordingsSchema } from './pbx-recordings.js';

const portMessage = 'expected a number from 1 to 65535 (or 0 for any free port)';
const webPort = z
  .number({ error: portMessage })
  .int({ error: portMessage })
  .min(0, { error: portMessage })
  .max(65535, { error: portMessage });

const traceLevel = z
  .number({ error: 'expected a whole number from 1 (errors only) to 5 (everything)' })
  .int({ error: 'expected a whole number from 1 (errors only) to 5 (everything)' })
  .min(1, { error: 'expected a whole number from 1 (errors only) to 5 (everything)' })
  .max(5, { error: 'expected a whole number from 1 (errors only) to 5 (everything)' });

/** A call-event source is an instance, so it needs an id that recordings and logs can refer to. */
const CallEventsEntrySchema = PluginEntrySchema.extend({
  id: PluginEntrySchema.shape.id.unwrap().describe('Instance id, e.g. "main-pbx"; stored with every call'),
  tenant: z
    .union([
      z.literal('*'),
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant slug: lowercase letters, digits and "-"'),
    ])
    .optional()
    .describe(
      'Tenant slug the source belongs to (default: the first tenant); events naming another are skipped. "*" shares it between tenants, for sources that authenticate each tenant (pbx-webhook tenantSecrets)',
    ),
  recordings: PbxRecordingsSchema.optional().describe(
    'Where to fetch the recordings the PBX makes itself, which the source reports by file name',
  ),
});

export const WebConfigSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0').describe('Address the admin API and portal listen on'),
    port: webPort.default(6543).describe('HTTP port of the admin API and portal'),
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .optional()
      .describe('Address people and agents reach the portal at; shown after first start'),
    sessionHours: z
      .number({ error: 'expected a number of hours from 0.1 to 720' })
      .min(0.1, { error: 'expected a number of hours from 0.1 to 720' })
      .max(720, { error: 'expected a number of hours from 0.1 to 720' })
      .default(12)
      .describe('Admin sessions expire this long after sign-in'),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest JSON request body the admin API accepts (uploads have their own limit)'),
  })
  .strict();

export const LogConfigSchema = z
  .object({
    level: traceLevel
      .default(3)
      .describe('Console log depth: 1 errors, 2 warnings, 3 info, 4 debug, 5 trace'),
    trace: z
      .object({
        enabled: z.boolean().default(false).describe('Also write a trace log file'),
        file: z.string().min(1).optional().describe('Trace file path; default <dataDir>/logs/host.log'),
        level: traceLevel.default(5).describe('Trace file depth, 1 to 5 (5 = everything)'),
        rotateSize: z
          .string()
          .regex(/^\d+[kmg]?$/i, { error: 'expected a size such as "500k", "10m" or "1g"' })
          .default('10m')
          .describe('Start a new file when the current one reaches this size'),
        rotateFrequency: z
          .enum(['hourly', 'daily'])
          .optional()
          .describe('Also start a new file every hour or day'),
        keep: z.number().int().min(1).max(1000).default(10).describe('How many rotated files to keep'),
      })
      .strict()
      .prefault({}),
    recentLines: z
      .number()
      .int()
      .min(100)
      .max(100000)
      .default(2000)
      .describe('Lines kept in memory for the System Log page'),
  })
  .strict();

export const HostConfigSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .default('./.data')
      .describe('Folder for the embedded database, TLS files, logs'),
    web: WebConfigSchema.prefault({}),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' })
          .optional()
          .describe('PostgreSQL connection URL; when absent an embedded database lives in <dataDir>/db'),
      })
      .strict()
      .prefault({}),
    controller: ControllerSettingsSchema.extend({
      host: z.string().min(1).optional().describe('Address the controller listens on; default web.host'),
      ephemeralPorts: z
        .boolean()
        .optional()
        .describe('Bind the controller to free ports the OS picks (tests and benchmarks only)'),
      heartbeatIntervalMs: z
        .number()
        .int()
        .min(50)
        .max(600_000)
        .optional()
        .describe('Agents are pinged this often; one that misses an interval is dropped (default 30000)'),
      limits: ControllerTuningSchema.pick({
        maxConnections: true,
        maxConnectionsPerAddress: true,
        enrollmentsPerMinute: true,
        maxPendingWorkstations: true,
      })
        .partial()
        .strict()
        .optional()
        .describe(
          'Connection and enrollment limits (defaults: 20000, 1000 per address, 60 a minute, 1000 pending)',
        ),
    })
      .strict()
      .prefault({}),
    cluster: z
      .object({
        hostName: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('How this host is named to the other hosts and in logs; default the machine name'),
        heartbeatSeconds: z
          .number()
          .int()
          .min(1)
          .max(300)
          .default(5)
          .describe('This host writes its heartbeat to the database this often'),
        hostGoneAfterSeconds: z
          .number()
          .int()
          .min(2)
          .max(3600)
          .default(20)
          .describe(
            'A host whose heartbeat is older than this is taken as gone: other hosts take over its work',
          ),
        sourceRetrySeconds: z
          .number()
          .int()
          .min(1)
          .max(60)
          .default(3)
          .describe(
            'A host that does not run a PBX connection (another host holds it) tries to take it over this often',
          ),
      })
      .strict()
      .refine((c) => c.hostGoneAfterSeconds > c.heartbeatSeconds, {
        error: 'hostGoneAfterSeconds must be longer than heartbeatSeconds',
        path: ['hostGoneAfterSeconds'],
      })
      .prefault({}),
    calls: z
      .object({
        unconfirmedAfterSeconds: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(900)
          .describe(
            'A call that no source confirmed for this long (no event for it, no reconcile that kept it) is ended with reason "unconfirmed", so no source fault keeps a capture running; 0 turns it off',
          ),
      })
      .strict()
      .prefault({}),
    fetch: z
      .object({
        allow: z
          .array(z.string().refine(isCidr, 'expected an address range such as 10.0.0.0/8 or fd00::/8'))
          .default([])
          .describe(
            'Address ranges (CIDR) the host may fetch call audio from besides public addresses; loopback, link-local, private and other special ranges are refused unless listed',
          ),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(600)
          .describe('A fetch (headers and body) must finish within this'),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        maxSegmentBytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .max(64 * 1024 ** 3)
          .default(2 * 1024 ** 3)
          .describe('Largest segment file an agent may upload'),
        tokenHoursAfterEnd: z
          .number()
          .min(1)
          .max(24 * 365)
          .default(168)
          .describe(
            "A recording's upload token stops working this long after its capture ended, counted again from each use: an agent that still holds segments keeps it alive by uploading",
          ),
        unfinishedUploadHours: z
          .number()
          .min(1)
          .max(24 * 365)
          .default(24)
          .describe(
            'An upload not finished this long after it was created is deleted from the host spool; the agent starts it again',
          ),
        maxOpenUploadsPerRecording: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(64)
          .describe('Unfinished uploads one recording may have at once; more are refused with 429'),
        handBackAfterSeconds: z
          .number()
          .int()
          .min(10)
          .max(7 * 24 * 3600)
          .default(120)
          .describe(
            'A store job waits this long for a silent host that holds its file; then the agent is asked to upload the segment again',
          ),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        pollMs: z
          .number()
          .int()
          .min(50)
          .max(60_000)
          .default(2000)
          .describe('How often idle job runners look for due jobs'),
      })
      .strict()
      .prefault({}),
    tenants: z
      .object({
        deletion: z
          .enum(['archive', 'delete'])
          .default('archive')
          .describe(
            'What deleting a tenant does: archive keeps its data but shuts it out; delete removes its rows and stored recordings',
          ),
      })
      .strict()
      .prefault({}),
    plugins: z
      .object({
        storage: z
          .array(PluginEntrySchema.strict())
          .optional()
          .describe('Storage kinds offered to admins; default: local, ftp, sftp, s3 (those installed)'),
        callEvents: z.array(CallEventsEntrySchema.strict()).default([]).describe('Call-event sources'),
        auth: PluginEntrySchema.strict()
          .default({ use: 'token', options: {} })
          .describe('Workstation policy'),
      })
      .strict()
      .prefault({}),
    log: LogConfigSchema.prefault({}),
    oidc: OidcConfigSchema.optional().describe(
      'Admin sign-in through an OpenID Connect provider (single sign-on)',
    ),
    observability: z
      .object({
        token: z
          .string()
          .min(16, { error: 'expected a secret of at least 16 characters' })
          .max(1024)
          .optional()
          .describe(
            'Bearer token that may read /metrics and the detailed /api/health; better an environment or file: reference',
          ),
        allow: z
          .array(z.string().refine(isCidr, { error: 'expected a CIDR range such as "10.0.0.0/8"' }))
          .default(['127.0.0.0/8', '::1/128'])
          .describe('Addresses that may read them without the token (default: this machine only)'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type HostConfigInput = z.input<typeof HostConfigSchema>;
export type ParsedHostConfig = z.output<typeof HostConfigSchema>;

/** The configuration with every path made absolute and every file default filled in. */
export type HostConfig = ParsedHostConfig & {
  /** Where the configuration came from, for messages ("defaults" when no file was given). */
  source: string;
  controller: ParsedHostConfig['controller'] & { tlsKeyFile: string; tlsCertFile: string };
  log: ParsedHostConfig['log'] & { trace: ParsedHostConfig['log']['trace'] & { file: string } };
};

/** Storage kinds offered when the config names none; missing packages are skipped only here. */
export const DEFAULT_STORAGE_KINDS = ['local', 'ftp', 'sftp', 's3'] as const;
