import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  checkIntegrity,
  failWhenAborted,
  type GetOptions,
  type GetResult,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
  resolveRange,
  type StorageCapabilities,
  StorageError,
  type StorageLimits,
  type StorageTarget,
} from '@deskrec/core';
import { createS3Client, serviceName } from './client.js';
import { type FailureContext, httpStatusOf, toStorageError } from './errors.js';
import { ObjectKeys } from './object-keys.js';
import type { S3StorageOptions } from './options.js';
import { sliceOf } from './range-slice.js';
import { verifiedBody } from './verified-body.js';

/** What this configuration can do: conditional create and server-side checksums follow the options. */
export function s3Capabilities(
  options: Pick<S3StorageOptions, 'checksum' | 'conditionalCreate'>,
): StorageCapabilities {
  return {
    atomicRename: true,
    rangeRead: true,
    conditionalCreate: options.conditionalCreate,
    serverChecksum: options.checksum,
  };
}

/** "bytes 10-19/4096" → its parts; S3 sends it on every ranged GET. */
function parseContentRange(
  value: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : undefined;
}

/**
 * Recordings in an S3 bucket. Puts stream through lib-storage's multipart Upload (a single PutObject for
 * small objects); S3 makes an object visible only when its upload completes, so puts are atomic. A failed
 * upload is aborted, so no parts are left behind.
 */
export class S3StorageTarget implements StorageTarget {
  readonly capabilities: StorageCapabilities;
  readonly limits: StorageLimits;
  readonly client: S3Client;
  private readonly keys: ObjectKeys;
  private readonly service: string;

  constructor(private readonly options: S3StorageOptions) {
    this.capabilities = s3Capabilities(options);
    this.client = createS3Client(options);
    this.keys = new ObjectKeys(options.prefix, options.maxNameBytes);
    this.limits = this.keys.limits;
    this.service = serviceName(options);
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    const objectKey = this.keys.of(key);
    if (options?.ifNotExists && !this.capabilities.conditionalCreate) {
      throw new StorageError(
        'unsupported',
        `put ${key} with ifNotExists needs conditionalCreate, which is off for this target`,
      );
    }
    const source = verifiedBody(key, body, options);
    const onAbort = () => source.destroy(Object.assign(new Error('put aborted'), { name: 'AbortError' }));
    options?.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options?.signal?.aborted) onAbort();
      const upload = new Upload({
        client: this.client,
        queueSize: this.options.queueSize,
        partSize: this.options.partSize,
        leavePartsOnError: false,
        params: {
          Bucket: this.options.bucket,
          Key: objectKey,
          Body: source.stream,
          ContentType: options?.contentType ?? 'application/octet-stream',
          ...(this.options.storageClass ? { StorageClass: this.options.storageClass } : {}),
          ...(this.options.serverSideEncryption
            ? { ServerSideEncryption: this.options.serverSideEncryption }
            : {}),
          ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
          ...(this.options.checksum ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
          // Sent with PutObject and CompleteMultipartUpload: S3 refuses to complete over an existing object.
          ...(options?.ifNotExists ? { IfNoneMatch: '*' } : {}),
        },
      });
      await upload.done();
    } catch (error) {
      const failure = await this.putFailure(key, objectKey, error, source.failure(), options);
      // Stop reading the caller's stream: nothing more of it will be sent.
      source.stream.destroy();
      throw failure;
    } finally {
      options?.signal?.removeEventListener('abort', onAbort);
    }
    return checkIntegrity(key, source.digest, options);
  }

  /**
   * lib-storage reports the failure of its abort request instead of the original one when both fail, so
   * a failure of the source (or of its verification) is taken from the stream itself.
   */
  private async putFailure(
    key: string,
    objectKey: string,
    error: unknown,
    sourceFailure: Error | undefined,
    options: PutOptions | undefined,
  ): Promise<StorageError> {
    if (options?.signal?.aborted) {
      return new StorageError('aborted', `put ${key} was aborted`, { cause: error });
    }
    if (sourceFailure instanceof StorageError) return sourceFailure;
    if (sourceFailure) {
      return new StorageError('aborted', `Reading the data for ${key} failed: ${sourceFailure.message}`, {
        cause: sourceFailure,
        retryable: true,
      });
    }
    return this.failure(error, 'writing', objectKey);
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const objectKey = this.keys.of(key);
    // Checks the range's shape only; S3 itself answers 416 for a start past the end.
    if (options?.range) resolveRange(key, Number.MAX_SAFE_INTEGER, options.range);
    const range = options?.range;
    // The SDK's abort covers the request; once the body streams, an abort must fail it with `aborted`
    // (failWhenAborted), which the SDK's own listener, tearing the socket down first, would pre-empt.
    const request = new AbortController();
    const signal = options?.signal;
    const abortRequest = () => request.abort(signal?.reason);
    if (signal?.aborted) abortRequest();
    signal?.addEventListener('abort', abortRequest, { once: true });
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: objectKey,
          ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
        }),
        { abortSignal: request.signal },
      );
      const body = (response.Body as Readable | undefined) ?? Readable.from([]);
      const served = parseContentRange(response.ContentRange);
      const size = served?.size ?? response.ContentLength ?? 0;
      let wanted: { start: number; end: number };
      try {
        wanted = resolveRange(key, size, range);
      } catch (error) {
        body.destroy(); // a server that ignored the Range header sent the whole object
        throw error;
      }
      const from = served?.start ?? 0;
      const to = served?.end ?? size - 1;
      if (range && (from > wanted.start || to < wanted.end)) {
        body.destroy();
        throw new StorageError(
          'unknown',
          `${this.service} served bytes ${from}-${to} of ${key} when asked for ${wanted.start}-${wanted.end}`,
        );
      }
      const exact = !range || (from === wanted.start && to === wanted.end);
      const result = exact ? body : sliceOf(body, wanted.start - from, wanted.end - wanted.start + 1);
      failWhenAborted(signal, result, `Download of ${key}`);
      return { body: result, size, range: wanted };
    } catch (error) {
      throw await this.failure(error, 'reading', objectKey);
    } finally {
      signal?.removeEventListener('abort', abortRequest);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const objectKey = this.keys.of(key);
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectKey }),
      );
      return {
        key,
        size: head.ContentLength ?? 0,
        ...(head.LastModified ? { modifiedAt: head.LastModified } : {}),
      };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw await this.failure(error, 'reading the size of', objectKey);
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.keys.of(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: objectKey }));
    } catch (error) {
      const failure = await this.failure(error, 'deleting', objectKey);
      if (failure.code !== 'not-found') throw failure;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const objectPrefix = this.keys.ofPrefix(prefix);
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.options.bucket, Prefix: objectPrefix },
    );
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (!object.Key) continue;
          yield {
            key: this.keys.keyOf(object.Key),
            size: object.Size ?? 0,
            ...(object.LastModified ? { modifiedAt: object.LastModified } : {}),
          };
        }
      }
    } catch (error) {
      throw await this.failure(error, 'listing', undefined);
    }
  }

  async check(): Promise<{ ok: boolean; message: string }> {
    const where = `s3://${this.options.bucket}/${this.options.prefix}`;
    const probe = this.keys.probe(randomBytes(6).toString('hex'));
    let step = 'checking';
    let objectKey: string | undefined;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket })).catch(async (error) => {
        // A HEAD answer has no body: a 403 cannot say whether the key or the policy is wrong, a listing can.
        if (httpStatusOf(error) === 403) {
          step = 'listing';
          await this.client.send(
            new ListObjectsV2Command({
              Bucket: this.options.bucket,
              Prefix: this.keys.ofPrefix(''),
              MaxKeys: 1,
            }),
          );
        }
        throw error;
      });
      step = 'writing';
      objectKey = probe;
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: probe,
          Body: 'deskrec storage check',
          ...(this.options.storageClass ? { StorageClass: this.options.storageClass } : {}),
          ...(this.options.serverSideEncryption
            ? { ServerSideEncryption: this.options.serverSideEncryption }
            : {}),
          ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
        }),
      );
      step = 'deleting';
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: probe }));
      const who = await this.accessKeyId();
      return {
        ok: true,
        message: `${where} at ${this.service} is writable${who ? ` with access key id ${who}` : ''}; wrote and deleted a probe object`,
      };
    } catch (error) {
      const failure = await this.failure(error, step, objectKey);
      return { ok: false, message: failure.message.split('\n')[0] ?? failure.code };
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async failure(
    error: unknown,
    action: string,
    objectKey: string | undefined,
  ): Promise<StorageError> {
    const context: FailureContext = {
      action,
      bucket: this.options.bucket,
      service: this.service,
      ...(objectKey !== undefined ? { objectKey } : {}),
    };
    const accessKeyId = await this.accessKeyId();
    return toStorageError(error, accessKeyId ? { ...context, accessKeyId } : context);
  }

  /** The access key id in use (from the options or the AWS chain); never the secret. */
  private async accessKeyId(): Promise<string | undefined> {
    if (this.options.accessKeyId) return this.options.accessKeyId;
    try {
      return (await this.client.config.credentials()).accessKeyId;
    } catch {
      return undefined;
    }
  }
}
