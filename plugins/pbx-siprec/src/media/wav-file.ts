import fs from 'node:fs/promises';
import path from 'node:path';

const HEADER_BYTES = 44;
/** A file still being written is named `….recording.wav`; it becomes `….wav` once finished. */
export const RECORDING_SUFFIX = '.recording.wav';

/** A canonical 44-byte PCM WAV header for `dataBytes` of 16-bit samples. */
export function wavHeader(dataBytes: number, channels: number, sampleRate: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff - 36, dataBytes), 40);
  return h;
}

/**
 * A WAV file written as the call runs: samples are appended in order, and the header's lengths are rewritten
 * now and then, so a file cut short by a crash is a valid WAV holding everything up to the last rewrite (and
 * the bytes after it, which tools that read to the end of the file also play).
 */
export class WavFile {
  private written = 0;
  private queued = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(
    public path: string,
    private readonly handle: fs.FileHandle,
    private readonly channels: number,
    private readonly sampleRate: number,
  ) {}

  /** Creates `<base>.recording.wav`; `close()` renames it to `<base>.wav`. */
  static async create(base: string, channels: number, sampleRate: number): Promise<WavFile> {
    const handle = await fs.open(`${base}${RECORDING_SUFFIX}`, 'wx', 0o640);
    const file = new WavFile(`${base}${RECORDING_SUFFIX}`, handle, channels, sampleRate);
    await handle.write(wavHeader(0, channels, sampleRate), 0, HEADER_BYTES, 0);
    return file;
  }

  /** Bytes of samples handed over so far. */
  get dataBytes(): number {
    return this.queued;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  append(samples: Buffer): void {
    const position = HEADER_BYTES + this.queued;
    this.queued += samples.length;
    this.enqueue(async () => {
      await this.handle.write(samples, 0, samples.length, position);
      this.written = position + samples.length - HEADER_BYTES;
    });
  }

  /** Rewrites the header with the length written so far (queued after the appends before it). */
  rewriteHeader(): void {
    this.enqueue(async () => {
      await this.handle.write(wavHeader(this.written, this.channels, this.sampleRate), 0, HEADER_BYTES, 0);
    });
  }

  /**
   * Writes the final header, flushes to disk, closes and drops `.recording` from the name. Rejects with the
   * first write error, if any (the file keeps its `.recording.wav` name then).
   */
  async close(): Promise<void> {
    this.rewriteHeader();
    this.enqueue(() => this.handle.sync());
    await this.chain;
    await this.handle.close();
    if (this.failure) throw this.failure;
    const done = `${this.path.slice(0, -RECORDING_SUFFIX.length)}.wav`;
    await fs.rename(this.path, done);
    this.path = done;
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await work();
      } catch (error) {
        this.failure = error as Error;
      }
    });
  }
}

/**
 * Finishes the files a crashed run left in `dir` (still named `….recording.wav`): the header gets the length
 * of the samples on disk and the name loses `.recording`. Returns the finished paths.
 */
export async function finishLeftovers(dir: string, channels: number): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith(RECORDING_SUFFIX));
  const done: string[] = [];
  for (const name of names) {
    const from = path.join(dir, name);
    const handle = await fs.open(from, 'r+');
    try {
      const { size } = await handle.stat();
      const frame = channels * 2;
      const dataBytes = Math.max(0, Math.floor((size - HEADER_BYTES) / frame) * frame);
      const header = Buffer.alloc(HEADER_BYTES);
      await handle.read(header, 0, HEADER_BYTES, 0);
      const sampleRate = header.toString('latin1', 0, 4) === 'RIFF' ? header.readUInt32LE(24) || 8000 : 8000;
      await handle.write(wavHeader(dataBytes, channels, sampleRate), 0, HEADER_BYTES, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const to = path.join(dir, `${name.slice(0, -RECORDING_SUFFIX.length)}.wav`);
    await fs.rename(from, to);
    done.push(to);
  }
  return done;
}
