/** Longest file or folder name most filesystems and object stores accept, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest key we produce, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

// Separators, look-alike slashes (after NFKC), drive and stream colons, wildcards and control characters.
const UNSAFE =
  /[/\\\u2215\u2044\u29f8\u29f9\u2216\ufe68:*?"<>|\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

const encoder = new TextEncoder();

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

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
  return truncateUtf8(out, MAX_SEGMENT_BYTES);
}
