import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

/** The unit of `parallelRequests`: bytes in flight are bounded by it × 32 KiB whatever the request size. */
export const REQUEST_BYTES = 32 * 1024;

/**
 * The largest READ/WRITE ssh2 sends as one request: the server's `limits@openssh.com` (OpenSSH: ~255 KiB;
 * fewer, larger requests cost less per byte) or what fits the channel's packet (31952 bytes on a 32 KiB
 * packet). A request above it is split by ssh2 into parts sent one after the other, each a round trip:
 * 32 KiB requests to a server without the extension cost two round trips each.
 */
function requestBytesOf(sftp: SFTPWrapper, kind: 'read' | 'write'): number {
  const limits = sftp as unknown as { _maxReadLen?: number; _maxWriteLen?: number };
  const max = kind === 'read' ? limits._maxReadLen : limits._maxWriteLen;
  return typeof max === 'number' && max > 0 ? max : REQUEST_BYTES;
}

/**
 * Request size and how many may be in flight, so that the bytes in flight stay `parallel` × 32 KiB
 * whatever the server's packet size (memory per transfer is bounded by the option, not by the server).
 */
function windowOf(sftp: SFTPWrapper, kind: 'read' | 'write', parallel: number) {
  const requestBytes = requestBytesOf(sftp, kind);
  return { requestBytes, inFlight: Math.max(1, Math.floor((parallel * REQUEST_BYTES) / requestBytes)) };
}

/*
 * ssh2's own read/write streams keep one request in flight, so a transfer waits a full round trip per
 * 32 KiB (about a quarter of fastPut/fastGet's speed, see BENCHMARKS.md). These streams keep up to
 * `parallel` requests in flight, as fastPut/fastGet do, while still holding at most that many requests'
 * bytes in memory.
 */

/** Writes to an open SFTP file handle from offset 0 with up to `parallel` × 32 KiB of WRITEs in flight. */
export class ParallelWriter extends Writable {
  private position = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    parallel: number,
    private readonly window = windowOf(sftp, 'write', parallel),
  ) {
    super({ highWaterMark: window.requestBytes * 2 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.drained().then(() => callback(this.failure), callback);
  }

  private async send(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; offset += this.window.requestBytes) {
      while (this.inFlight >= this.window.inFlight && !this.failure) await this.settled();
      if (this.failure) throw this.failure;
      const piece = chunk.subarray(offset, offset + this.window.requestBytes);
      this.inFlight++;
      this.sftp.write(this.handle, piece, 0, piece.length, this.position, (error) => {
        this.inFlight--;
        if (error) this.failure ??= error;
        this.notify();
      });
      this.position += piece.length;
    }
  }

  private async drained(): Promise<void> {
    while (this.inFlight > 0) await this.settled();
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

interface Pending {
  position: number;
  length: number;
  done: boolean;
  data?: Buffer;
  error?: Error;
}

export interface ReaderOptions {
  /** First and last byte to read, inclusive. */
  start: number;
  end: number;
  parallel: number;
  /** Aborted when the connection drops. */
  lost: AbortSignal;
  /** Turns a failure into the error the stream's consumer sees. */
  describe(error: Error): Error;
}

/**
 * Reads bytes `start`..`end` (inclusive) of an open SFTP file handle with up to `parallel` × 32 KiB of
 * READs in flight, pushing them in order. Closes the handle when it ends or is destroyed.
 */
export class ParallelReader extends Readable {
  private next: number;
  private readonly end: number;
  private readonly pending: Pending[] = [];
  private wanting = false;
  private readonly window: { requestBytes: number; inFlight: number };

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly handle: Buffer,
    private readonly options: ReaderOptions,
  ) {
    super({ highWaterMark: options.parallel * REQUEST_BYTES });
    this.next = options.start;
    this.end = options.end;
    this.window = windowOf(sftp, 'read', options.parallel);
  }

  override _read(): void {
    this.wanting = true;
    this.pump();
  }

  private request(position: number, length: number, at: 'head' | 'tail'): void {
    const slot: Pending = { position, length, done: false };
    if (at === 'head') this.pending.unshift(slot);
    else this.pending.push(slot);
    const buffer = Buffer.allocUnsafe(length);
    this.sftp.read(this.handle, buffer, 0, length, position, (error, bytesRead) => {
      slot.done = true;
      if (error) slot.error = error;
      else slot.data = buffer.subarray(0, bytesRead);
      this.pump();
    });
  }

  private pump(): void {
    if (this.destroyed) return;
    while (this.wanting && this.pending[0]?.done) {
      const slot = this.pending.shift()!;
      if (slot.error) return void this.destroy(slot.error);
      const data = slot.data!;
      if (data.length === 0) {
        return void this.destroy(new Error(`object ended at byte ${slot.position}, before byte ${this.end}`));
      }
      // A server may answer with fewer bytes than asked; ask again for the rest, ahead of the queue.
      if (data.length < slot.length)
        this.request(slot.position + data.length, slot.length - data.length, 'head');
      this.wanting = this.push(data);
    }
    while (this.pending.length < this.window.inFlight && this.next <= this.end) {
      const length = Math.min(this.window.requestBytes, this.end - this.next + 1);
      this.request(this.next, length, 'tail');
      this.next += length;
    }
    if (this.pending.length === 0 && this.next > this.end) this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const described = error && this.options.describe(error);
    // A dropped connection never answers CLOSE (and the server closed the handle with it).
    if (this.options.lost.aborted) callback(described);
    else this.sftp.close(this.handle, () => callback(described));
  }
}
