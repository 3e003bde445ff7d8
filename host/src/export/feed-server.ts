import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { StorageTarget } from '@deskrec/core';
import { parseRange } from '../playback/range.js';
import { rangedGet } from '../playback/ranged-get.js';

/** What one export lets ffmpeg read: stored objects by path, and small generated texts (the lane lists). */
export interface FeedItem {
  path: string;
  object?: { target: StorageTarget; key: string; contentType: string };
  text?: string;
}

export interface Feed {
  /** `http://127.0.0.1:<port>/<token>`; every item is under it. */
  base: string;
  add(item: FeedItem): void;
}

/**
 * A one-export HTTP server on 127.0.0.1 that streams the export's stored objects from their storage targets
 * to ffmpeg (with byte ranges, should ffmpeg seek), so no segment is copied to disk or held in memory.
 * A random token in the path keeps other local processes out; it serves nothing else and closes with the export.
 */
export async function openFeed(signal: AbortSignal): Promise<Feed> {
  const token = randomBytes(24).toString('base64url');
  const byPath = new Map<string, FeedItem>();
  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, given, ...rest] = url.pathname.split('/');
    const expected = Buffer.from(token);
    const actual = Buffer.from(given ?? '');
    const item = byPath.get(rest.join('/'));
    if (
      actual.length !== expected.length ||
      !timingSafeEqual(actual, expected) ||
      !item ||
      req.method !== 'GET'
    ) {
      res.writeHead(404).end();
      return;
    }
    if (item.text !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(item.text) });
      res.end(item.text);
      return;
    }
    const { target, key, contentType } = item.object!;
    const range = parseRange(req.headers.range);
    if (range.kind === 'unsatisfiable' || range.kind === 'suffix') {
      res.writeHead(416).end();
      return;
    }
    const wanted = range.kind === 'from' ? range : undefined;
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    const result = await rangedGet(target, key, wanted, AbortSignal.any([aborted.signal, signal]));
    const { start, end } = result.range;
    res.writeHead(wanted ? 206 : 200, {
      'content-type': contentType,
      'accept-ranges': 'bytes',
      'content-length': String(result.size === 0 ? 0 : end - start + 1),
      ...(wanted ? { 'content-range': `bytes ${start}-${end}/${result.size}` } : {}),
    });
    await pipeline(result.body, res);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  signal.addEventListener(
    'abort',
    () => {
      server.close();
      server.closeAllConnections();
    },
    { once: true },
  );
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/${token}`, add: (item) => byPath.set(item.path, item) };
}
