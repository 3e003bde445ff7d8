import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { type Readable, Transform } from 'node:stream';
import type { AddressPolicy } from './address-policy.js';

export interface SafeFetchOptions {
  policy: AddressPolicy;
  /** The whole exchange, headers and body, must finish within this. */
  timeoutMs: number;
  /** A body longer than this (declared or streamed) fails the fetch. */
  maxBytes: number;
  /** Redirects followed, each to an address the policy allows. */
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  contentType: string;
  /** The final URL, after redirects. */
  url: string;
  body: Readable;
}

/** A refusal by policy or limit: retrying the same URL cannot help. */
export class FetchRefused extends Error {}

/**
 * GET over http(s) that connects only to addresses the policy allows. The check runs on the address the
 * socket really connects to (the resolver hook), so a name that resolves to a private address, or changes
 * its answer between a check and the connect (DNS rebinding), is refused too. Redirects are followed by hand
 * and checked the same way. The body streams; it is cut when it passes `maxBytes`.
 */
export async function safeFetch(url: string, options: SafeFetchOptions): Promise<SafeResponse> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, options, deadline);
    const location = response.headers.location;
    if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 3))
        throw new FetchRefused(`${url}: more than ${options.maxRedirects ?? 3} redirects`);
      current = new URL(location, current);
      continue;
    }
    const declared = Number(response.headers['content-length'] ?? Number.NaN);
    if (declared > options.maxBytes) {
      response.destroy();
      throw new FetchRefused(
        `${current.href} declares ${declared} bytes, more than the limit of ${options.maxBytes}`,
      );
    }
    let seen = 0;
    // A transform, not a 'data' listener: a listener would start the flow before the caller reads.
    const body = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > options.maxBytes) {
          done(new FetchRefused(`${current.href} sent more than the limit of ${options.maxBytes} bytes`));
          response.destroy();
          return;
        }
        done(null, chunk);
      },
    });
    response.once('error', (error) => body.destroy(error));
    body.once('close', () => response.destroy());
    response.pipe(body);
    return {
      status: response.statusCode ?? 0,
      contentType: (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '',
      url: current.href,
      body,
    };
  }
}

function requestOnce(
  url: URL,
  options: SafeFetchOptions,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new FetchRefused(`${url.href}: only http and https URLs are fetched`));
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = options.policy.refusal(host);
    if (why) return Promise.reject(new FetchRefused(`${url.href} refused: ${why} (allow it in fetch.allow)`));
  }
  const checkedLookup = (
    hostname: string,
    lookupOptions: object,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const refused = list.map((a) => options.policy.refusal(a.address)).find(Boolean);
      if (refused) {
        return callback(
          new FetchRefused(
            `${url.href} refused: ${hostname} resolves to ${refused} (allow it in fetch.allow)`,
          ),
          [],
        );
      }
      const wantsAll = (lookupOptions as { all?: boolean }).all;
      if (wantsAll) return callback(null, list);
      const first = list[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(new Error(`${hostname}: no address`), []);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(
      url,
      { lookup: checkedLookup, signal, headers: { accept: 'audio/*, */*' } },
      resolve,
    );
    request.on('error', (error) => reject(error));
  });
}
