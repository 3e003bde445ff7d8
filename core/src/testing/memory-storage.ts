import { Readable } from 'node:stream';
import { StorageError } from '../ports/storage-error.js';
import type {
  GetOptions,
  GetResult,
  ObjectInfo,
  PutOptions,
  PutResult,
  StorageCapabilities,
  StorageTarget,
} from '../ports/storage-target.js';
import { failWhenAborted } from '../util/abort.js';
import { checkIntegrity, digesting, resolveRange } from '../util/digest-stream.js';
import { assertValidKey, assertValidPrefix } from '../util/key.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * The reference StorageTarget: objects live in memory. It defines the behaviour the kit expects and
 * serves tests of code that needs a target; it is not for recordings in production.
 */
export class MemoryStorageTarget implements StorageTarget {
  readonly capabilities: StorageCapabilities = {
    atomicRename: true,
    rangeRead: true,
    conditionalCreate: true,
    serverChecksum: false,
  };
  private readonly objects = new Map<string, { data: Buffer; modifiedAt: Date }>();

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    assertValidKey(key);
    if (options?.ifNotExists && this.objects.has(key))
      throw new StorageError('already-exists', `${key} already exists`);
    const digest = digesting(body);
    failWhenAborted(options?.signal, digest, `Upload of ${key}`);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of digest) chunks.push(chunk as Buffer);
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError('aborted', `Upload of ${key} failed: ${(error as Error).message}`, {
        cause: error,
        retryable: true,
      });
    }
    const result = checkIntegrity(key, digest, options);
    if (options?.ifNotExists && this.objects.has(key))
      throw new StorageError('already-exists', `${key} already exists`);
    this.objects.set(key, {
      data: Buffer.concat(chunks),
      modifiedAt: new Date(),
    });
    return result;
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    assertValidKey(key);
    const object = this.objects.get(key);
    if (!object) throw new StorageError('not-found', `${key} does not exist`);
    const range = resolveRange(key, object.data.length, options?.range);
    const slice = object.data.subarray(range.start, range.end + 1);
    // In 64 KiB chunks, as a stream from a server arrives.
    const chunks = Array.from({ length: Math.ceil(slice.length / CHUNK_BYTES) }, (_, i) =>
      slice.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
    );
    const body = Readable.from(chunks, { objectMode: false });
    failWhenAborted(options?.signal, body, `Download of ${key}`);
    return { body, size: object.data.length, range };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    const object = this.objects.get(key);
    return object && { key, size: object.data.length, modifiedAt: object.modifiedAt };
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.objects.delete(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    for (const [key, object] of this.objects) {
      if (key.startsWith(prefix)) yield { key, size: object.data.length, modifiedAt: object.modifiedAt };
    }
  }

  async check() {
    return {
      ok: true,
      message: `In-memory target holding ${this.objects.size} objects`,
    };
  }

  async close(): Promise<void> {}
}
