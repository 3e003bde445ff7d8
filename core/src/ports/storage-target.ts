import type { Readable } from 'node:stream';

/** What a storage backend can do; the host adapts to these and the kit tests exactly what is declared. */
export interface StorageCapabilities {
  /** A put becomes visible at its key all at once (temp name then rename, or multipart complete). */
  atomicRename: boolean;
  /** get() honours a byte range without reading the object from its start. */
  rangeRead: boolean;
  /** put(..., { ifNotExists: true }) refuses to replace an existing object, atomically. */
  conditionalCreate: boolean;
  /** The backend verifies the SHA-256 itself (e.g. S3 checksums), not only the plugin while streaming. */
  serverChecksum: boolean;
}

/**
 * How long a key may be on a target, in UTF-8 bytes, after the target's own prefix or root folder is
 * counted. The host shortens a longer key (core's `fitKey`) before it puts it; the kit checks that a key
 * exactly at both limits is stored.
 */
export interface StorageLimits {
  /** The whole relative key, `/` included (S3: 1024 minus the configured prefix). */
  maxKeyBytes: number;
  /** One file or folder name between `/` (filesystems: 255). */
  maxSegmentBytes: number;
}

export interface PutOptions {
  /** Expected size in bytes; a mismatch fails the put and leaves nothing at the key. */
  size?: number;
  /** Expected SHA-256 (lowercase hex); a mismatch fails the put and leaves nothing at the key. */
  sha256?: string;
  /** Fail with `already-exists` instead of replacing. Only valid when `conditionalCreate` is declared. */
  ifNotExists?: boolean;
  contentType?: string;
  signal?: AbortSignal;
}

export interface PutResult {
  key: string;
  size: number;
  /** SHA-256 of the bytes written, lowercase hex. */
  sha256: string;
}

/** Inclusive byte range, as in HTTP: `{ start: 0, end: 0 }` is the first byte. `end` omitted means to the end. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

export interface GetResult {
  body: Readable;
  /** Size of the whole object. */
  size: number;
  /** The range actually served (end clamped to the object's last byte). */
  range: { start: number; end: number };
}

export interface ObjectInfo {
  key: string;
  size: number;
  modifiedAt?: Date;
}

export interface CheckResult {
  ok: boolean;
  /** One line an admin understands, e.g. "Connected to ftp.example.com as rec; /recordings is writable". */
  message: string;
}

/**
 * Where recordings end up. Keys are relative, `/`-separated and already validated by core's
 * `assertValidKey`; implementations must still refuse anything that would leave their root.
 * Every method rejects with a `StorageError` so callers can tell retryable from permanent failures.
 */
export interface StorageTarget {
  readonly capabilities: StorageCapabilities;
  /** Key length limits of this instance; core's `DEFAULT_STORAGE_LIMITS` when omitted. */
  readonly limits?: StorageLimits;
  /** Streams `body` to `key`. Never buffers the whole object. A failed put leaves nothing at `key`. */
  put(key: string, body: Readable | AsyncIterable<Uint8Array>, options?: PutOptions): Promise<PutResult>;
  /** Rejects with `not-found` for a missing key, `invalid-range` for a range starting past the end. */
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /** `undefined` when the key does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix` (plain string prefix, not a folder glob), in no set order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Tells an admin in one line whether the target works: connects, authenticates, writes and deletes a probe. */
  check(): Promise<CheckResult>;
  /** Releases connections. */
  close(): Promise<void>;
}
