import { z } from 'zod';

const int = (what: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${what} must be a whole number`)
    .transform(Number);

/** What an agent declares when it creates a segment upload (tus Upload-Metadata). */
export const SegmentUploadMetadataSchema = z.object({
  captureId: z.string().min(1).max(128),
  recordingId: z.string().min(1).max(128),
  monitorId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'monitorId must be 1–64 letters, digits, ".", "_" or "-"'),
  index: int('index'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  bytes: int('bytes'),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: int('durationMs'),
  filename: z.string().min(1).max(255),
});

export type SegmentUploadMetadata = z.output<typeof SegmentUploadMetadataSchema>;
