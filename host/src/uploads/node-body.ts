import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type CancellationContext,
  type DataStore,
  ERRORS,
  type Server,
  type ServerOptions,
  StreamLimiter,
  type Upload,
} from '@tus/server';

/**
 * Lets tus read a request body straight from Node's IncomingMessage. tus 2.x handlers take web Requests
 * and turn `request.body` back into a Node stream (`Readable.fromWeb`); on a Node server that means two
 * web-stream conversions and their per-chunk garbage for every byte of video. Here a request built by
 * `webRequestFrom` carries an inert placeholder as its body, and the PATCH/POST handlers' `writeToStore`
 * looks the IncomingMessage up by that placeholder. Everything else (hooks, locking, offsets, limits,
 * answers) stays tus's own code.
 */
const nodeBodies = new WeakMap<ReadableStream, IncomingMessage>();

/** A web Request with `incoming`'s method, URL and headers; its body is read from `incoming` by tus. */
export function webRequestFrom(incoming: IncomingMessage): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = incoming.method ?? 'GET';
  const url = `http://${incoming.headers.host ?? 'localhost'}${incoming.url ?? '/'}`;
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const body = new ReadableStream<Uint8Array>();
  nodeBodies.set(body, incoming);
  return new Request(url, { method, headers, body, duplex: 'half' });
}

/**
 * tus's `BaseHandler.writeToStore` with the Node request as the source: the same abort, error and size
 * rules, minus the web-stream round trip and its proxy PassThrough (the limiter is piped, not part of the
 * pipeline, so a failed write never destroys the request and the client still gets its answer). tus's
 * POST_RECEIVE progress event is not emitted; the upload service does not listen to it.
 */
async function writeNodeBody(
  store: DataStore,
  source: Readable,
  upload: Upload,
  maxBytes: number,
  context: CancellationContext,
): Promise<number> {
  if (context.signal.aborted) throw ERRORS.ABORTED;
  const limiter = new StreamLimiter(maxBytes);
  let sourceError: Error | undefined;
  const onSourceError = (error: Error) => {
    sourceError = error;
    source.unpipe(limiter);
    if (!context.signal.aborted) limiter.destroy(error);
  };
  // A newer request took the upload's lock: store what arrived so far, then answer.
  const onAbort = () => {
    source.unpipe(limiter);
    if (!limiter.destroyed) limiter.end();
  };
  source.on('error', onSourceError);
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The pipeline rejects with the limiter's own error (413), not the store's write error. Node passes a
    // stream source to the function as it is.
    return await pipeline(source.pipe(limiter), (limited: AsyncIterable<Buffer>) =>
      store.write(limited as Readable, upload.id, upload.offset),
    );
  } catch (error) {
    source.unpipe(limiter);
    const aborted =
      (sourceError !== undefined && error === sourceError) ||
      (error instanceof Error && error.name === 'AbortError');
    throw aborted ? ERRORS.ABORTED : error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    source.off('error', onSourceError);
  }
}

type HandlerClass<T> = new (store: DataStore, options: ServerOptions) => T;

/**
 * Replaces `server`'s body-reading handlers (PATCH, and POST for creation-with-upload) with subclasses
 * that read bodies of `webRequestFrom` requests from Node; other requests keep tus's web path. The
 * classes are not exported by @tus/server, so they are taken from the server's own instances.
 */
export function readNodeBodies(server: Server): void {
  const Patch = server.handlers.PATCH.constructor as HandlerClass<Server['handlers']['PATCH']>;
  const Post = server.handlers.POST.constructor as HandlerClass<Server['handlers']['POST']>;
  class NodeBodyPatch extends Patch {
    protected override writeToStore(
      body: ReadableStream | null,
      upload: Upload,
      maxBytes: number,
      context: CancellationContext,
    ): Promise<number> {
      const source = body && nodeBodies.get(body);
      return source
        ? writeNodeBody(this.store, source, upload, maxBytes, context)
        : super.writeToStore(body, upload, maxBytes, context);
    }
  }
  class NodeBodyPost extends Post {
    protected override writeToStore(
      body: ReadableStream | null,
      upload: Upload,
      maxBytes: number,
      context: CancellationContext,
    ): Promise<number> {
      const source = body && nodeBodies.get(body);
      return source
        ? writeNodeBody(this.store, source, upload, maxBytes, context)
        : super.writeToStore(body, upload, maxBytes, context);
    }
  }
  server.handlers.PATCH = new NodeBodyPatch(server.datastore, server.options);
  server.handlers.POST = new NodeBodyPost(server.datastore, server.options);
}
