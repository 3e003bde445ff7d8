import { isStorageError, type StorageTarget } from '@deskrec/core';
import type { ManifestRow, ManifestsRepo } from '../db/repos/manifests.js';
import type { SigningKeysRepo } from '../db/repos/signing-keys.js';
import { hashObject } from './hash-object.js';
import { type Manifest, parseManifestFile, verifyBody } from './manifest.js';

export type Problem =
  /** A stored segment is not on its storage target. */
  | 'missing'
  /** Its bytes are not the ones recorded at upload. */
  | 'changed'
  /** Its storage target could not be read (down, credentials): nothing could be proved either way. */
  | 'unreadable'
  /** A manifest in the database does not verify against the host key it names. */
  | 'manifest-signature-bad'
  /** A segment row no longer says what the signed manifest says (size, hash or key changed in the database). */
  | 'manifest-mismatch'
  /** The manifest copy next to the recording is gone. */
  | 'manifest-copy-missing'
  /** The manifest copy next to the recording differs from the signed one or does not verify. */
  | 'manifest-copy-changed'
  /** A stored recording has no manifest (stored before sealing existed, or its seal is queued): a warning. */
  | 'not-sealed';

export interface Finding {
  problem: Problem;
  recordingId: string;
  segmentId?: string;
  key?: string;
  message: string;
}

export interface VerifyReport {
  tenant: string;
  recordings: number;
  manifests: number;
  segments: number;
  bytes: number;
  findings: Finding[];
}

export interface VerifyDeps {
  manifests: Pick<ManifestsRepo, 'listForTenant' | 'storedSegments' | 'unsealed'>;
  signingKeys: Pick<SigningKeysRepo, 'publicKey'>;
  /** A tenant's storage target by id (a segment row's `storage_target_id`; null is the tenant's current one). */
  target(id: string | null): Promise<StorageTarget>;
  /** Segments read at once; default 4. */
  concurrency?: number;
}

/** Only `not-sealed` is a warning; every other finding fails the verify. */
export const isFailure = (finding: Finding) => finding.problem !== 'not-sealed';

/** The largest manifest copy read back (a manifest lists one line per file, far below this). */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

async function readText(target: StorageTarget, key: string): Promise<string> {
  const { body, size } = await target.get(key);
  if (size > MAX_MANIFEST_BYTES) {
    body.destroy();
    throw new Error(`${key} is ${size} bytes, too large for a manifest`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function each<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

async function checkManifest(
  deps: VerifyDeps,
  row: ManifestRow,
  findings: Finding[],
): Promise<Manifest | undefined> {
  const at = { recordingId: row.recording_id, key: row.storage_key };
  const publicKey = await deps.signingKeys.publicKey(row.key_id);
  if (!publicKey || !verifyBody(row.body, row.signature, publicKey)) {
    findings.push({
      ...at,
      problem: 'manifest-signature-bad',
      message: publicKey
        ? `the manifest in the database does not verify against host key ${row.key_id}`
        : `the manifest names host key ${row.key_id}, which the database does not hold`,
    });
    return undefined;
  }
  try {
    const file = parseManifestFile(await readText(await deps.target(row.storage_target_id), row.storage_key));
    if ('problem' in file) {
      findings.push({
        ...at,
        problem: 'manifest-copy-changed',
        message: `the stored copy is not a manifest: ${file.problem}`,
      });
    } else if (
      file.body !== row.body ||
      file.file.signature.keyId !== row.key_id ||
      !verifyBody(file.body, file.file.signature.value, publicKey)
    ) {
      findings.push({
        ...at,
        problem: 'manifest-copy-changed',
        message: 'the stored copy differs from the signed manifest',
      });
    }
  } catch (error) {
    findings.push(
      isStorageError(error, 'not-found')
        ? {
            ...at,
            problem: 'manifest-copy-missing',
            message: 'the manifest copy is missing from the storage target',
          }
        : {
            ...at,
            problem: 'unreadable',
            message: `the manifest copy could not be read: ${(error as Error).message}`,
          },
    );
  }
  return JSON.parse(row.body) as Manifest;
}

/**
 * Proves a tenant's recordings are as recorded: every manifest's signature (database row and stored copy),
 * every segment row against its signed manifest, and every stored segment's bytes, streamed back from its
 * storage target, against the SHA-256 recorded at upload. Reports every finding; stops at none.
 */
export async function verifyTenant(
  deps: VerifyDeps,
  tenant: { id: string; slug: string },
): Promise<VerifyReport> {
  const findings: Finding[] = [];
  const rows = await deps.manifests.listForTenant(tenant.id);
  const signed = new Map<string, Manifest['segments'][number]>();
  for (const row of rows) {
    const manifest = await checkManifest(deps, row, findings);
    for (const entry of manifest?.segments ?? []) signed.set(entry.segmentId, entry);
  }
  const segments = await deps.manifests.storedSegments(tenant.id);
  let bytes = 0;
  await each(segments, deps.concurrency ?? 4, async (segment) => {
    const key = segment.storage_key ?? '';
    const at = { recordingId: segment.recording_id, segmentId: segment.id, key };
    const entry = signed.get(segment.id);
    if (
      entry &&
      (entry.sha256 !== segment.sha256 || entry.bytes !== Number(segment.bytes) || entry.key !== key)
    ) {
      findings.push({
        ...at,
        problem: 'manifest-mismatch',
        message: `the segment row differs from its signed manifest (manifest: ${entry.bytes} bytes, ${entry.sha256} at ${entry.key})`,
      });
    }
    // Checked against the signed value when there is one: a row changed to match altered bytes is caught too.
    const expected = entry ?? { sha256: segment.sha256, bytes: Number(segment.bytes) };
    try {
      const actual = await hashObject(await deps.target(segment.storage_target_id), key);
      bytes += actual.size;
      if (actual.sha256 !== expected.sha256 || actual.size !== expected.bytes) {
        findings.push({
          ...at,
          problem: 'changed',
          message: `stored bytes differ from the recording: ${actual.size} bytes, SHA-256 ${actual.sha256}; recorded ${expected.bytes} bytes, ${expected.sha256}`,
        });
      }
    } catch (error) {
      findings.push(
        isStorageError(error, 'not-found')
          ? { ...at, problem: 'missing', message: 'the segment is missing from its storage target' }
          : {
              ...at,
              problem: 'unreadable',
              message: `the segment could not be read: ${(error as Error).message}`,
            },
      );
    }
  });
  for (const recordingId of await deps.manifests.unsealed(tenant.id)) {
    findings.push({
      recordingId,
      problem: 'not-sealed',
      message: 'the stored recording has no signed manifest',
    });
  }
  const recordings = new Set(segments.map((s) => s.recording_id)).size;
  return {
    tenant: tenant.slug,
    recordings,
    manifests: rows.length,
    segments: segments.length,
    bytes,
    findings,
  };
}
