import { Transform, type TransformCallback } from 'node:stream';

/** Caps the rate bytes flow through, so uploads never crowd out the agent's phone and desktop traffic. */
export class Throttle extends Transform {
  private readonly bytesPerMs: number;
  private started = Date.now();
  private sent = 0;

  constructor(kbps: number) {
    super({ highWaterMark: 64 * 1024 });
    this.bytesPerMs = (kbps * 1000) / 8 / 1000;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sent += chunk.length;
    const due = this.started + this.sent / this.bytesPerMs;
    const wait = due - Date.now();
    if (wait > 1000) {
      // Long idle stretches would otherwise let a burst through afterwards.
      this.started = Date.now() - this.sent / this.bytesPerMs + 1000;
    }
    setTimeout(() => callback(null, chunk), Math.max(0, Math.min(wait, 1000)));
  }
}
