import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

// The bounds @hono/node-server uses for the same cleanup.
const DRAIN_MS = 500;
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * After an answer to a request whose body was not (fully) read (a refused upload): read and drop the rest
 * for a moment, so the client, still sending, gets to read the answer instead of a reset, then close the
 * connection rather than receive a refused gigabyte.
 */
function releaseUnreadBody(incoming: IncomingMessage): void {
  if (incoming.complete || incoming.destroyed) return;
  let read = 0;
  const done = () => {
    clearTimeout(timer);
    incoming.off('data', onData);
    incoming.off('end', done);
    incoming.off('error', done);
  };
  const close = () => {
    done();
    incoming.socket?.destroySoon();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_BYTES) close();
  };
  const timer = setTimeout(close, DRAIN_MS).unref();
  incoming.on('data', onData);
  incoming.once('end', done);
  incoming.once('error', done);
  incoming.resume();
}

/** Writes a web Response (tus's answer) to Node's ServerResponse, then releases an unread request body. */
export async function sendWebResponse(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  response: Response,
): Promise<void> {
  outgoing.once('finish', () => releaseUnreadBody(incoming));
  outgoing.statusCode = response.status;
  for (const [name, value] of response.headers) outgoing.setHeader(name, value);
  if (!response.body) {
    outgoing.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream), outgoing);
}
