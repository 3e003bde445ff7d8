/** What a Range header asks for (RFC 9110 §14), for one byte range. */
export type RangeRequest =
  | { kind: 'whole' }
  | { kind: 'from'; start: number; end?: number }
  | { kind: 'suffix'; length: number }
  | { kind: 'unsatisfiable' };

/**
 * Parses a Range header. No header, another unit or several ranges → the whole object (servers may
 * ignore Range); a malformed or backwards byte range → unsatisfiable (416).
 */
export function parseRange(header: string | undefined): RangeRequest {
  if (!header) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return { kind: 'whole' };
  const spec = match[1]!.trim();
  if (spec.includes(',')) return { kind: 'whole' };
  const parts = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
  if (!parts) return { kind: 'unsatisfiable' };
  const [, first, last] = parts;
  if (!first && !last) return { kind: 'unsatisfiable' };
  if (!first) {
    const length = Number(last);
    return length > 0 && Number.isSafeInteger(length)
      ? { kind: 'suffix', length }
      : { kind: 'unsatisfiable' };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return { kind: 'unsatisfiable' };
  if (!last) return { kind: 'from', start };
  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'from', start, end };
}

const TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
};

export function contentTypeOf(key: string, fallback: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || fallback;
}
