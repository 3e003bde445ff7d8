import { createHash } from 'node:crypto';
import { truncateUtf8 } from './utf8.js';

/** Hex digits of the hash suffix: 64 bits, so two long names sharing their prefix do not collide. */
const HASH_CHARS = 16;
/** Longest tail kept as an extension (`.mp4`, `.manifest.json`); a longer "extension" is just text. */
const MAX_EXTENSION_BYTES = 16;

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/**
 * `name` cut to `maxBytes` of UTF-8 as `<readable prefix>~<hash><extension>`. The hash is taken over
 * `original` (the whole key), so the result is the same on every call and differs for keys that differ
 * anywhere, also after the cut.
 */
export function shortenName(name: string, maxBytes: number, original = name): string {
  if (bytes(name) <= maxBytes) return name;
  const hash = `~${createHash('sha256').update(original).digest('hex').slice(0, HASH_CHARS)}`;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && bytes(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : '';
  const stem = extension ? name.slice(0, dot) : name;
  const room = Math.max(0, maxBytes - bytes(hash) - bytes(extension));
  return `${truncateUtf8(stem, room)}${hash}${extension}`;
}
