import { Readable } from 'node:stream';

/**
 * Cuts `[skip, skip + length)` out of `body`. HTTP servers may ignore or widen a Range header (some S3
 * clones do), so the bytes served are trimmed to those asked for; the rest of the body is not read.
 */
export function sliceOf(body: Readable, skip: number, length: number): Readable {
  return Readable.from(
    (async function* () {
      let toSkip = skip;
      let left = length;
      if (left <= 0) return;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        let part = chunk;
        if (toSkip > 0) {
          const dropped = Math.min(toSkip, part.length);
          part = part.subarray(dropped);
          toSkip -= dropped;
        }
        if (part.length === 0) continue;
        if (part.length >= left) {
          yield part.subarray(0, left);
          return; // leaving the loop destroys `body`, so nothing past the range is downloaded
        }
        left -= part.length;
        yield part;
      }
    })(),
    { objectMode: false },
  );
}
