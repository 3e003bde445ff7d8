import os from 'node:os';
import path from 'node:path';
import { LoginSchema, PluginEntrySchema } from '@deskrec/core';
import { z } from 'zod';

function defaultDataDir(): string {
  if (process.platform === 'win32')
    return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'deskrec', 'agent');
  if (process.getuid?.() === 0) return '/var/lib/deskrec-agent';
  return path.join(os.homedir(), '.local', 'share', 'deskrec-agent');
}

/** The agent's deployment parameters: the same ones admins know from installer properties. */
export const AgentConfigSchema = z.object({
  controller: z
    .object({
      primary: z.string().trim().min(1).describe('Primary controller address, host:port (SERVER1)'),
      secondary: z
        .string()
        .trim()
        .min(1)
        .optional()
        .describe('Secondary controller address, host:port (SERVER2)'),
      tls: z
        .boolean()
        .default(false)
        .describe('Use the encrypted channel (USE_SSL); default port 6092, else 6091'),
      caFile: z.string().min(1).optional().describe('PEM CA bundle that signed the host certificate'),
      tlsCert: z
        .string()
        .min(1)
        .optional()
        .describe('PEM client certificate, presented when the host requires one (its controller.tlsCaFile)'),
      tlsKey: z.string().min(1).optional().describe('PEM private key of tlsCert'),
      fingerprint: z
        .string()
        .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint like AB:CD:…')
        .optional()
        .describe(
          'Pinned SHA-256 fingerprint of the host certificate; without CA or pin the first one seen is pinned',
        ),
      returnToPrimarySeconds: z
        .number()
        .int()
        .min(5)
        .max(3600)
        .default(60)
        .describe('How often to look for the primary while on the secondary'),
    })
    .strict()
    .refine((c) => Boolean(c.tlsCert) === Boolean(c.tlsKey), {
      message: 'tlsCert and tlsKey go together: set both or neither',
      path: ['tlsCert'],
    }),
  tenantToken: z
    .string()
    .trim()
    .min(16)
    .max(256)
    .describe('Screen-recording token of the tenant (TENANT_TOKEN)'),
  dataDir: z.string().min(1).default(defaultDataDir()).describe('Identity, spool and logs live here'),
  login: LoginSchema.optional().describe('Report this login instead of the one read from the OS'),
  computerName: z.string().min(1).max(255).default(os.hostname()),
  domain: z
    .string()
    .max(255)
    .optional()
    .describe('Windows domain or NetBIOS name; read from the OS when left out'),
  capture: PluginEntrySchema.default({ use: 'ffmpeg', options: {} }).describe('Capture plugin'),
  upload: z
    .object({
      maxKbps: z.number().int().min(0).default(0).describe('Upload bandwidth cap in kbit/s; 0 = unlimited'),
      minFreeDiskMb: z
        .number()
        .int()
        .min(0)
        .default(500)
        .describe('Below this much free space the agent stops capturing'),
      retryMaxSeconds: z
        .number()
        .int()
        .min(1)
        .max(3600)
        .default(300)
        .describe('Longest wait between upload retries'),
    })
    .strict()
    .default({ maxKbps: 0, minFreeDiskMb: 500, retryMaxSeconds: 300 }),
  log: z
    .object({
      trace: z.boolean().default(false).describe('Write a trace log (off by default)'),
      level: z.number().int().min(1).max(5).default(3).describe('1 errors only … 5 everything'),
      file: z.string().min(1).optional().describe('Trace log file; default <dataDir>/logs/agent.log'),
    })
    .strict()
    .default({ trace: false, level: 3 }),
  sessionPollSeconds: z
    .number()
    .min(0.2)
    .max(600)
    .default(5)
    .describe('How often the logged-in user is read'),
});

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
