import { z } from 'zod';
import { DEFAULT_FILE_NAME_TEMPLATE } from '../template/default-template.js';
import { parseTemplate } from '../template/parse.js';

const port = (fallback: number, what: string) =>
  z.number().int().min(0).max(65535).default(fallback).describe(`${what} (0 disables it)`);

/** What the agent needs to record: sent in welcome, settings changes and capture.start. */
export const CaptureSettingsSchema = z.object({
  fps: z.number().min(0.2).max(30).default(5).describe('Frames captured per second'),
  bitrateKbps: z
    .number()
    .int()
    .min(16)
    .max(20000)
    .default(300)
    .describe('Upper bound of the video bit rate in kbit/s; quiet screens use far less'),
  maxFileSeconds: z
    .number()
    .int()
    .min(10)
    .max(86400)
    .default(600)
    .describe('A recording is split into files no longer than this'),
  maxRecordingSeconds: z
    .number()
    .int()
    .min(10)
    .max(172800)
    .default(7200)
    .describe('A capture is ended after this long, whatever the call does'),
  multiMonitor: z
    .enum(['primary', 'all'])
    .default('primary')
    .describe('Record the primary monitor only or all'),
  maxWidth: z.number().int().min(160).max(16384).default(1920).describe('Larger monitors are scaled down'),
  maxHeight: z.number().int().min(120).max(16384).default(1080).describe('Larger monitors are scaled down'),
});

const templateString = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((value, ctx) => {
    try {
      parseTemplate(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** Per-tenant screen-recording settings, as an admin edits them. */
export const ScreenRecordingSettingsSchema = CaptureSettingsSchema.extend({
  storageTargetId: z
    .string()
    .min(1)
    .max(128)
    .nullable()
    .default(null)
    .describe('Where finished recordings go'),
  storageHostUrl: z
    .union([z.url({ protocol: /^https?$/ }), z.literal('')])
    .default('')
    .describe('Address agents upload to; empty means the address the agent connected to'),
  fileNameFormat: templateString
    .default(DEFAULT_FILE_NAME_TEMPLATE)
    .describe('Name of each stored file, built from %{variable#format} parts'),
  wrapUpSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(0)
    .describe('Recording goes on this long after the call ends (0 stops at once)'),
});

/** Host-wide network settings for the controller channel. */
export const ControllerSettingsSchema = z.object({
  tcpPort: port(6091, 'Controller TCP port'),
  tlsPort: port(6092, 'Controller TLS port'),
  tlsKeyFile: z.string().min(1).optional().describe('PEM private key; generated when missing'),
  tlsCertFile: z.string().min(1).optional().describe('PEM certificate; generated when missing'),
  tlsCaFile: z
    .string()
    .min(1)
    .optional()
    .describe('PEM CA bundle; when set, agents must present a client certificate'),
});

export type CaptureSettings = z.output<typeof CaptureSettingsSchema>;
export type ScreenRecordingSettings = z.output<typeof ScreenRecordingSettingsSchema>;
export type ControllerSettings = z.output<typeof ControllerSettingsSchema>;

export function captureSettingsOf(settings: ScreenRecordingSettings): CaptureSettings {
  const { fps, bitrateKbps, maxFileSeconds, maxRecordingSeconds, multiMonitor, maxWidth, maxHeight } =
    settings;
  return {
    fps,
    bitrateKbps,
    maxFileSeconds,
    maxRecordingSeconds,
    multiMonitor,
    maxWidth,
    maxHeight,
  };
}
