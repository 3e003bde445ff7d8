import { shortenName } from './shorten-name.js';
import { truncateUtf8 } from './utf8.js';

export { truncateUtf8 };

/** Longest file or folder name most filesystems and object stores accept, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest key we produce, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

// Separators, look-alike slashes (after NFKC), drive and stream colons, wildcards and control characters.
const UNSAFE =
  /[/\\\u2215\u2044\u29f8\u29f9\u2216\ufe68:*?"<>|\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Makes a variable's value safe inside one path segment: it can never add a separator, name a parent
 * folder, a drive, or a device. Unicode is normalized (NFKC) first so full-width dots and slashes are
 * caught as the characters they imitate.
 */
export function sanitizeValue(value: string): string {
  return value.normalize('NFKC').replace(UNSAFE, '_');
}

/** Final check of one assembled segment: no dot-only names, no trailing dots or spaces, no device names. */
export function sanitizeSegment(segment: string): string {
  let out = segment.replace(/^\s+/, '').replace(/[. ]+$/, (m) => '_'.repeat(m.length));
  if (out === '' || /^\.+$/.test(out)) out = '_'.repeat(Math.max(out.length, 1));
  if (RESERVED.test(out)) out = `_${out}`;
  // A hash suffix instead of a plain cut: the extension stays and names differing after the cut stay apart.
  return shortenName(out, MAX_SEGMENT_BYTES);
}
