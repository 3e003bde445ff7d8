import { StorageError } from '../ports/storage-error.js';
import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from '../template/sanitize.js';

const CONTROL = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/** Why `key` is not a safe relative storage key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'key is empty';
  if (encoder.encode(key).length > MAX_KEY_BYTES) return `key is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'key contains a control character';
  if (key.includes('\\')) return 'key contains a backslash; use "/" between folders';
  if (key.startsWith('/')) return 'key is absolute; it must be relative to the storage root';
  if (/^[a-zA-Z]:/.test(key)) return 'key starts with a drive letter';
  for (const segment of key.split('/')) {
    if (segment === '') return 'key has an empty folder name';
    if (segment === '.' || segment === '..') return `key has a "${segment}" folder`;
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES)
      return `a name in the key is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/** Throws `invalid-key` unless `key` is a safe relative key. Every storage plugin calls this first. */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem)
    throw new StorageError('invalid-key', `Invalid storage key ${JSON.stringify(key)}: ${problem}`);
}

/** Validates a list prefix: empty, or a key-like string (a trailing "/" is allowed). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = keyProblem(trimmed);
  if (problem) throw new StorageError('invalid-key', `Invalid prefix ${JSON.stringify(prefix)}: ${problem}`);
}
