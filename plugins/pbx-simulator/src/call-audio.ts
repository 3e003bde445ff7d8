import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { SeededRandom } from './random.js';

const RATE = 8000;

/** A 44-byte RIFF header for 16-bit mono PCM of `samples` samples. */
function wavHeader(samples: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples * 2, 40);
  return header;
}

interface Turn {
  untilSample: number;
  /** Fundamental in Hz; 0 for a pause. */
  pitch: number;
}

/**
 * A phone-like conversation (8 kHz mono WAV): two voices of different pitch take turns, each turn made of
 * syllable-shaped bursts of a buzzy tone, with pauses between turns. It is a synthetic signal, but it has
 * the rhythm of speech, so a listener hears at once that audio and screen run together. No ffmpeg needed.
 */
export async function writeCallAudio(file: string, seconds: number, seed: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const random = new SeededRandom(seed);
  const total = Math.max(1, Math.round(seconds * RATE));
  const out = createWriteStream(file);
  const voices = [110 + random.uniform(0, 30), 190 + random.uniform(0, 40)];
  let turn: Turn = { untilSample: 0, pitch: 0 };
  let speaker = 0;
  let phase = 0;
  try {
    out.write(wavHeader(total));
    for (let start = 0; start < total; start += RATE) {
      const length = Math.min(RATE, total - start);
      const chunk = Buffer.alloc(length * 2);
      for (let i = 0; i < length; i++) {
        const n = start + i;
        if (n >= turn.untilSample) {
          const talking = turn.pitch === 0;
          if (talking) speaker = 1 - speaker;
          const turnSeconds = talking ? random.uniform(1.5, 5) : random.uniform(0.3, 0.9);
          turn = { untilSample: n + Math.round(turnSeconds * RATE), pitch: talking ? voices[speaker]! : 0 };
        }
        let sample = 0;
        if (turn.pitch) {
          // About four syllables a second; the pitch drifts a little within each, as in speech.
          const t = n / RATE;
          const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t)) ** 2;
          phase += (2 * Math.PI * turn.pitch * (1 + 0.05 * Math.sin(2 * Math.PI * 0.7 * t))) / RATE;
          const buzz = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase);
          sample = 0.35 * syllable * buzz;
        }
        chunk.writeInt16LE(Math.round(Math.max(-1, Math.min(1, sample)) * 32767), i * 2);
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await rm(file, { force: true });
    throw error;
  }
}
