/** G.711 encoders (the Sun reference algorithm) for the test sender: the plugin itself only decodes. */

export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > 32635) s = 32635;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; exponent--, mask >>= 1);
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask: number;
  if (pcm >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const ends = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let segment = 0;
  while (segment < 8 && pcm > (ends[segment] as number)) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  let value = segment << 4;
  value |= segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return value ^ mask;
}

/** `count` samples of a sine tone at 8 kHz, starting at sample `offset`. */
export function tone(frequency: number, offset: number, count: number, amplitude = 8000): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++)
    out[i] = amplitude * Math.sin((2 * Math.PI * frequency * (offset + i)) / 8000);
  return out;
}

export function encode(codec: 'PCMU' | 'PCMA', samples: Float64Array): Buffer {
  const out = Buffer.alloc(samples.length);
  const f = codec === 'PCMU' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = f(samples[i] as number);
  return out;
}
