import fs from 'node:fs/promises';

export interface Wav {
  channels: number;
  sampleRate: number;
  /** Length the header declares. */
  dataBytes: number;
  samples: Int16Array[];
}

/** Reads a PCM WAV into one array per channel (test side; independent of the plugin's writer). */
export async function readWav(file: string): Promise<Wav> {
  const data = await fs.readFile(file);
  if (data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('not a WAV');
  const channels = data.readUInt16LE(22);
  const sampleRate = data.readUInt32LE(24);
  if (data.readUInt16LE(20) !== 1 || data.readUInt16LE(34) !== 16) throw new Error('not 16-bit PCM');
  if (data.toString('latin1', 36, 40) !== 'data') throw new Error('data chunk not at 36');
  const dataBytes = data.readUInt32LE(40);
  const frames = Math.floor(Math.min(dataBytes, data.length - 44) / (2 * channels));
  const samples = Array.from({ length: channels }, () => new Int16Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++)
      (samples[c] as Int16Array)[f] = data.readInt16LE(44 + (f * channels + c) * 2);
  }
  return { channels, sampleRate, dataBytes, samples };
}

/**
 * Share of the signal's energy at `frequency` (Goertzel), 0..1: near 1 for a clean tone. Measured from the
 * first to the last sound, so leading and trailing silence do not dilute it.
 */
export function toneShare(all: Int16Array, frequency: number, sampleRate = 8000): number {
  const from = all.findIndex((s) => Math.abs(s) > 200);
  if (from < 0) return 0;
  let to = all.length;
  while (to > from && Math.abs(all[to - 1] as number) <= 200) to--;
  const samples = all.subarray(from, to);
  const n = samples.length;
  if (n === 0) return 0;
  const k = (2 * Math.PI * frequency) / sampleRate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] as number;
    energy += x * x;
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (n * energy);
}

/** Samples whose absolute value is above `threshold` (sound, not silence). */
export function loudSamples(samples: Int16Array, threshold = 200): number {
  let n = 0;
  for (const s of samples) if (Math.abs(s) > threshold) n++;
  return n;
}
