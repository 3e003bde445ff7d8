import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidKey,
  assertValidPrefix,
  checkIntegrity,
  digesting,
  failWhenAborted,
  type GetOptions,
  type GetResult,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
  resolveRange,
  type StorageCapabilities,
  StorageError,
  type StorageTarget,
} from '@deskrec/core';
import { DavClient, encodeKey } from './dav-client.js';
import { networkError, statusError } from './errors.js';
import { type DavEntry, parseMultistatus } from './multistatus.js';
import type { WebDavOptions } from './options.js';

/**
 * Uploads go to a temporary name and are MOVEd into place, so a reader never sees half an object; GET
 * honours Range. WebDAV has no portable create-if-absent for PUT, so conditional create is not offered.
 */
export const WEBDAV_CAPABILITIES: StorageCapabilities = {
  atomicRename: true,
  rangeRead: true,
  conditionalCreate: false,
  serverChecksum: false,
};

/** Temporary uploads carry this prefix; list() hides them and no key may use it. */
const TEMP_PREFIX = '.deskrec-upload-';

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/></d:prop></d:propfind>';

function checkKey(key: string): void {
  assertValidKey(key);
  if (key.split('/').some((segment) => segment.startsWith(TEMP_PREFIX))) {
    throw new StorageError(
      'invalid-key',
      `Invalid storage key ${JSON.stringify(key)}: ${TEMP_PREFIX} is reserved`,
    );
  }
}

export class WebDavTarget implements StorageTarget {
  readonly capabilities = WEBDAV_CAPABILITIES;
  private readonly client: DavClient;
  /** Collections known to exist, so a folder of segments costs one MKCOL, not one per upload. */
  private readonly collections = new Set<string>();

  constructor(options: WebDavOptions) {
    this.client = new DavClient(options);
  }

  /** The collection URL's path, to turn PROPFIND hrefs back into keys. */
  private get basePath(): string {
    return decodeURIComponent(this.client.base.pathname);
  }

  private async ensureCollections(key: string): Promise<void> {
    const parts = key.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (this.collections.has(folder)) continue;
      const { status } = await this.client.text({ method: 'MKCOL', path: `${encodeKey(folder)}/` });
      // 405: it exists already. 201: created.
      if (status !== 201 && status !== 405) throw statusError(status, `creating collection ${folder}`);
      this.collections.add(folder);
    }
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    checkKey(key);
    if (options?.ifNotExists) {
      throw new StorageError('unsupported', 'WebDAV targets do not offer conditional create (ifNotExists)');
    }
    const slash = key.lastIndexOf('/');
    const temp = `${slash === -1 ? '' : key.slice(0, slash + 1)}${TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
    try {
      await this.ensureCollections(key);
      const digest = digesting(body);
      failWhenAborted(options?.signal, digest, `Upload of ${key}`);
      // The digest stream's own error (aborted, failed source) wins over the request's.
      const outgoing = new PassThrough();
      const piped = pipeline(digest, outgoing);
      const [response] = await Promise.all([
        this.client.request({
          method: 'PUT',
          path: encodeKey(temp),
          body: outgoing,
          headers: { 'content-type': options?.contentType ?? 'application/octet-stream' },
        }),
        piped,
      ]);
      response.body.resume();
      if (response.status !== 201 && response.status !== 204 && response.status !== 200) {
        throw statusError(response.status, `uploading ${key}`);
      }
      const result = checkIntegrity(key, digest, options);
      const moved = await this.client.text({
        method: 'MOVE',
        path: encodeKey(temp),
        headers: { destination: this.client.url(encodeKey(key)), overwrite: 'T' },
      });
      if (moved.status !== 201 && moved.status !== 204)
        throw statusError(moved.status, `moving ${key} into place`);
      return result;
    } catch (error) {
      await this.client.text({ method: 'DELETE', path: encodeKey(temp) }).catch(() => undefined);
      throw networkError(error, `writing ${key}`);
    }
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    checkKey(key);
    const info = await this.stat(key);
    if (!info) throw new StorageError('not-found', `${key} does not exist`);
    const range = resolveRange(key, info.size, options?.range);
    if (info.size === 0) {
      const empty = new PassThrough();
      empty.end();
      return { body: empty, size: 0, range };
    }
    const ranged = options?.range !== undefined;
    const response = await this.client.request({
      method: 'GET',
      path: encodeKey(key),
      headers: ranged ? { range: `bytes=${range.start}-${range.end}` } : {},
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    if (response.status !== (ranged ? 206 : 200)) {
      response.body.resume();
      // A server that ignores Range would send the whole object: refuse rather than serve wrong bytes.
      if (ranged && response.status === 200) {
        throw new StorageError('misconfigured', `${key}: the server ignored the Range header`);
      }
      throw statusError(response.status, `reading ${key}`);
    }
    const body = response.body as Readable;
    failWhenAborted(options?.signal, body, `Download of ${key}`);
    return { body, size: info.size, range };
  }

  private async propfind(path: string, depth: '0' | '1'): Promise<DavEntry[] | undefined> {
    const { status, text } = await this.client.text({
      method: 'PROPFIND',
      path,
      headers: { depth, 'content-type': 'application/xml; charset=utf-8' },
      body: PROPFIND_BODY,
    });
    if (status === 404) return undefined;
    if (status !== 207) throw statusError(status, `listing ${path || '/'}`);
    return parseMultistatus(text);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key);
    const [entry] = (await this.propfind(encodeKey(key), '0')) ?? [];
    if (!entry || entry.collection) return undefined;
    return { key, size: entry.size, ...(entry.modifiedAt ? { modifiedAt: entry.modifiedAt } : {}) };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const { status } = await this.client.text({ method: 'DELETE', path: encodeKey(key) });
    if (status !== 204 && status !== 200 && status !== 404) throw statusError(status, `deleting ${key}`);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    yield* this.walk(slash === -1 ? '' : prefix.slice(0, slash), prefix);
  }

  /** Depth 1 at a time: servers often refuse Depth: infinity. */
  private async *walk(folder: string, prefix: string): AsyncIterable<ObjectInfo> {
    const entries = await this.propfind(folder ? `${encodeKey(folder)}/` : '', '1');
    const base = this.basePath.replace(/\/$/, '');
    for (const entry of entries ?? []) {
      const key = entry.path.replace(/\/$/, '').slice(base.length + 1);
      if (!key || key === folder) continue;
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (name.startsWith(TEMP_PREFIX)) continue;
      if (entry.collection) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        yield { key, size: entry.size, ...(entry.modifiedAt ? { modifiedAt: entry.modifiedAt } : {}) };
      }
    }
  }

  async check() {
    const probe = `${TEMP_PREFIX}check-${randomBytes(4).toString('hex')}`;
    const where = this.client.base.href;
    try {
      const root = await this.propfind('', '0');
      if (!root) return { ok: false, message: `${where} does not exist; create the collection first` };
      const put = await this.client.text({ method: 'PUT', path: probe, body: 'deskrec check' });
      if (put.status >= 300) throw statusError(put.status, `writing a probe to ${where}`);
      await this.client.text({ method: 'DELETE', path: probe });
      return { ok: true, message: `${where} is writable` };
    } catch (error) {
      return { ok: false, message: networkError(error, where).message };
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
