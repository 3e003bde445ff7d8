import { createHash, type Hash } from 'node:crypto';
import type http from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';

/**
 * tus's FileStore, hashing bytes as they arrive so a finished upload's SHA-256 is known without reading
 * the file again. The running hash lives in memory and follows the upload's offset; when the chain is
 * broken (a host restart between two PATCH requests, a write that stored fewer bytes than it saw) the
 * digest is simply unknown and the caller re-reads the file.
 */
export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, { hash: Hash; offset: number }>();

  override async write(
    readable: http.IncomingMessage | Readable,
    id: string,
    offset: number,
  ): Promise<number> {
    let state = this.running.get(id);
    if (offset === 0) state = { hash: createHash('sha256'), offset: 0 };
    if (!state || state.offset !== offset) {
      this.running.delete(id);
      return super.write(readable, id, offset);
    }
    const current = state;
    let seen = 0;
    const tap = new PassThrough();
    tap.on('data', (chunk: Buffer) => {
      current.hash.update(chunk);
      seen += chunk.length;
    });
    readable.on('error', (error) => tap.destroy(error));
    readable.pipe(tap);
    const next = await super.write(tap, id, offset).catch((error: unknown) => {
      this.running.delete(id);
      throw error;
    });
    if (next - offset === seen) this.running.set(id, { hash: current.hash, offset: next });
    else this.running.delete(id);
    return next;
  }

  /** The SHA-256 of all `size` bytes when every one passed through this process, else undefined. */
  takeDigest(id: string, size: number): string | undefined {
    const state = this.running.get(id);
    this.running.delete(id);
    return state && state.offset === size ? state.hash.digest('hex') : undefined;
  }
}
