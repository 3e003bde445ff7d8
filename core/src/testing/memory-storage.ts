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
import { checkIntegrity, digesting, resolveRange } from '../util/digest-stream.js';
import { assertValidKey, assertValidPrefix } from '../util/key.js';

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
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of digest) chunks.push(chunk as Buffer);
    } catch (error) {
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
    return { body: Readable.from([slice]), size: object.data.length, range };
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
