import { PassThrough, Writable } from 'node:stream';
import type { Client } from 'basic-ftp';

export interface Download {
  /** What the caller reads: exactly the bytes of the range. */
  body: PassThrough;
  /** Settles when the client is free again; true when its connection can be reused. */
  finished: Promise<boolean>;
}

/**
 * Streams bytes `start..end` (inclusive) of `path`: REST start, RETR, and once `end` is reached the
 * transfer is cut by closing the client (FTP has no "stop here"), so a short range never reads the rest.
 * Backpressure goes from `body` through the sink to the data socket; nothing is buffered beyond the
 * streams' high-water marks. `onError` turns a transfer failure into the error `body` fails with.
 */
export function download(
  client: Client,
  path: string,
  range: { start: number; end: number },
  size: number,
  onError: (error: unknown) => Error,
): Download {
  const body = new PassThrough();
  const cutsShort = range.end < size - 1;
  let remaining = range.end - range.start + 1;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    client.close();
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (remaining <= 0) return callback();
      const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      remaining -= part.length;
      const flowing = body.write(part);
      if (remaining === 0) {
        body.end();
        if (cutsShort) stop();
        return callback();
      }
      if (flowing) callback();
      else body.once('drain', () => callback());
    },
    final(callback) {
      if (remaining > 0 && !body.destroyed) {
        body.destroy(onError(new Error(`transfer ended ${remaining} bytes early`)));
      } else if (!body.writableEnded) body.end();
      callback();
    },
  });
  // The reader went away (destroyed, aborted) before the end: cut the transfer instead of stalling it.
  body.once('close', () => {
    if (remaining > 0) stop();
  });
  const finished = client.downloadTo(sink, path, range.start).then(
    () => !stopped,
    (error: unknown) => {
      if (!stopped && !body.destroyed) body.destroy(onError(error));
      return false;
    },
  );
  return { body, finished };
}
