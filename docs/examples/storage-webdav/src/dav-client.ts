import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { networkError } from './errors.js';
import type { WebDavOptions } from './options.js';

export interface DavResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as a stream; read it or call `discard()`. */
  body: http.IncomingMessage;
}

export interface DavRequest {
  method: string;
  /** Path below the collection URL, already percent-encoded, without a leading slash. */
  path: string;
  headers?: Record<string, string>;
  body?: Readable | string;
  signal?: AbortSignal;
}

/** Percent-encodes each segment of a storage key, so any character a key may hold survives the URL. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** HTTP requests to one WebDAV collection, over keep-alive connections, with Basic authentication. */
export class DavClient {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly authorization: string | undefined;

  constructor(private readonly options: WebDavOptions) {
    this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 8 })
        : new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.authorization = options.username
      ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`
      : undefined;
  }

  /** The absolute URL of `path`, as MOVE's Destination header needs it. */
  url(path: string): string {
    return new URL(path, this.base).href;
  }

  request(request: DavRequest): Promise<DavResponse> {
    const url = new URL(request.path, this.base);
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: request.method,
        agent: this.agent,
        timeout: this.options.timeoutMs,
        ...(request.signal ? { signal: request.signal } : {}),
        headers: {
          ...(this.authorization ? { authorization: this.authorization } : {}),
          ...request.headers,
        },
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (error) => reject(networkError(error, `${request.method} ${url.pathname}`)));
      req.on('response', (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      if (typeof request.body === 'string' || request.body === undefined) {
        req.end(request.body);
      } else {
        request.body.on('error', (error) => req.destroy(error));
        request.body.pipe(req);
      }
    });
  }

  /** A request whose answer body is read whole (small XML answers only). */
  async text(request: DavRequest): Promise<{ status: number; text: string }> {
    const response = await this.request(request);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    return { status: response.status, text: Buffer.concat(chunks).toString('utf8') };
  }

  close(): void {
    this.agent.destroy();
  }
}
