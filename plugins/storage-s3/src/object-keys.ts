import { assertValidKey, assertValidPrefix, MAX_SEGMENT_BYTES, type StorageLimits } from '@deskrec/core';

/** S3's limit on an object key, in UTF-8 bytes; the configured prefix counts towards it. */
const S3_MAX_KEY_BYTES = 1024;

/** Translates between deskrec keys and object keys in the bucket, which carry the configured prefix. */
export class ObjectKeys {
  private readonly root: string;

  /** `prefix` is already normalized by the options schema: no leading or trailing "/". */
  constructor(
    prefix: string,
    private readonly maxNameBytes = MAX_SEGMENT_BYTES,
  ) {
    this.root = prefix === '' ? '' : `${prefix}/`;
  }

  /** S3 has no limit per name: core's 255 bytes or the configured lower one; the prefix counts towards the key. */
  get limits(): StorageLimits {
    return {
      maxKeyBytes: S3_MAX_KEY_BYTES - Buffer.byteLength(this.root),
      maxSegmentBytes: this.maxNameBytes,
    };
  }

  /** Validates `key` and returns the object key in the bucket. */
  of(key: string): string {
    assertValidKey(key);
    return this.root + key;
  }

  /** Validates a list prefix and returns the object-key prefix to list. */
  ofPrefix(prefix: string): string {
    assertValidPrefix(prefix);
    return this.root + prefix;
  }

  /** The deskrec key of an object listed under the configured prefix. */
  keyOf(objectKey: string): string {
    return objectKey.slice(this.root.length);
  }

  /** A probe object name for check(), inside the prefix so it exercises the same permissions as puts. */
  probe(suffix: string): string {
    return `${this.root}.deskrec-check-${suffix}`;
  }
}
