import { OpusDecoder } from 'opus-decoder';

/**
 * libopus (WebAssembly, from the maintained `opus-decoder` package) decoding one RTP stream straight to the
 * recorder's 8 kHz mono, so an Opus stream lands in the WAV like a G.711 one. The WebAssembly instance
 * loads asynchronously (a few ms); packets that arrive before are kept and decoded in order once it is ready.
 */
export class OpusStreamDecoder {
  private readonly decoder = new OpusDecoder({ channels: 1, sampleRate: 8000 });
  ready = false;
  readonly loaded: Promise<void>;

  constructor() {
    this.loaded = this.decoder.ready.then(() => {
      this.ready = true;
    });
  }

  /** The packet's samples at 8 kHz, or undefined when libopus cannot decode it. */
  decode(payload: Uint8Array): Int16Array | undefined {
    const { channelData, samplesDecoded, errors } = this.decoder.decodeFrame(payload);
    const mono = channelData[0];
    if (errors.length > 0 || !mono || samplesDecoded === 0) return undefined;
    const out = new Int16Array(samplesDecoded);
    for (let i = 0; i < samplesDecoded; i++) {
      const v = (mono[i] as number) * 32768;
      out[i] = Math.min(32767, Math.max(v, -32768));
    }
    return out;
  }

  free(): void {
    this.decoder.free();
  }
}
