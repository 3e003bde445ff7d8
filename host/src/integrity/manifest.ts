import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { formatIssues } from '@deskrec/core';
import { z } from 'zod';

export const MANIFEST_FORMAT = 'deskrec-manifest/1';

const SegmentEntrySchema = z.object({
  segmentId: z.string(),
  monitor: z.string(),
  index: z.number().int(),
  key: z.string(),
  storageTargetId: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  startedAt: z.string(),
  durationMs: z.number(),
  storedAt: z.string().nullable(),
});

/** What a manifest vouches for: every file of one recording and the facts that say whose it is. */
export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  tenant: z.object({ id: z.string(), slug: z.string() }),
  recordingId: z.string(),
  callIds: z.array(z.string()),
  workstationId: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  sealedAt: z.string(),
  segments: z.array(SegmentEntrySchema),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestSegment = z.infer<typeof SegmentEntrySchema>;

/** The file stored next to the recording: the manifest, and who signed it how. */
export const ManifestFileSchema = z.object({
  manifest: ManifestSchema,
  signature: z.object({
    algorithm: z.literal('Ed25519'),
    keyId: z.string(),
    /** Base64 Ed25519 signature of `JSON.stringify(manifest)` (compact, keys in the order written). */
    value: z.string(),
    /** SPKI PEM, for checking without the database; deskrec itself trusts only the key in its database. */
    publicKey: z.string(),
  }),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** The exact bytes that are signed: compact JSON of the manifest. */
export function manifestBody(manifest: Manifest): string {
  return JSON.stringify(manifest);
}

export function signBody(body: string, privateKeyPem: string): string {
  return sign(null, Buffer.from(body, 'utf8'), createPrivateKey(privateKeyPem)).toString('base64');
}

export function verifyBody(body: string, signature: string, publicKeyPem: string): boolean {
  try {
    return verify(
      null,
      Buffer.from(body, 'utf8'),
      createPublicKey(publicKeyPem),
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The stored copy, pretty-printed for people; its `manifest` re-serializes to the signed body. */
export function manifestFile(
  manifest: Manifest,
  keyId: string,
  signature: string,
  publicKey: string,
): string {
  const file: ManifestFile = {
    manifest,
    signature: { algorithm: 'Ed25519', keyId, value: signature, publicKey },
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Parses a stored copy; the reason in words when it is not one. `body` is the manifest as written in the
 * file, re-serialized from the raw JSON (not from the schema's output, which could order keys differently).
 */
export function parseManifestFile(text: string): { file: ManifestFile; body: string } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = ManifestFileSchema.safeParse(json);
  if (!parsed.success) return { problem: formatIssues(parsed.error) };
  return { file: parsed.data, body: JSON.stringify((json as { manifest: unknown }).manifest) };
}
