import { z } from 'zod';

/** Options an admin writes in the host config under `plugins.callEvents[].options`. */
export const LineProtocolOptionsSchema = z
  .object({
    host: z.string().min(1).describe('Host name or IP address of the phone system'),
    port: z.number().int().min(1).max(65535).describe('TCP port where the phone system prints call events'),
    agentIdentifiedBy: z
      .enum(['extension', 'user-id', 'login'])
      .default('extension')
      .describe('What the agent field of each line holds'),
    reconnectMinSeconds: z
      .number()
      .min(0.01)
      .max(60)
      .default(1)
      .describe('First wait before reconnecting after the connection is lost'),
    reconnectMaxSeconds: z
      .number()
      .min(0.01)
      .max(600)
      .default(30)
      .describe('Longest wait between reconnect attempts (the wait doubles up to this)'),
    maxLineBytes: z
      .number()
      .int()
      .min(64)
      .max(65536)
      .default(4096)
      .describe('Longer lines are reported as problems and skipped'),
  })
  .refine((o) => o.reconnectMaxSeconds >= o.reconnectMinSeconds, {
    message: 'must be at least reconnectMinSeconds',
    path: ['reconnectMaxSeconds'],
  });

export type LineProtocolOptions = z.output<typeof LineProtocolOptionsSchema>;
export type LineProtocolOptionsInput = z.input<typeof LineProtocolOptionsSchema>;
