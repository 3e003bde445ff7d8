import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { checkIntegrity, type DigestStream, digesting, type PutOptions } from '@deskrec/core';

/**
 * The body of a put, hashed while it streams. When the source ends, the announced size and SHA-256 are
 * checked before the stream ends: a mismatch fails the stream, so the upload is aborted before S3 ever
 * completes it and the previous object at the key (if any) stays untouched.
 */
export interface VerifiedBody {
  stream: Readable;
  digest: DigestStream;
  /** The first error of the source or of the verification, if any: the real cause behind an upload failure. */
  failure(): Error | undefined;
  /** Fails the stream (e.g. on abort), which makes lib-storage abort the multipart upload. */
  destroy(error: Error): void;
}

class VerifyAtEnd extends Transform {
  constructor(
    private readonly key: string,
    private readonly digest: DigestStream,
    private readonly options: PutOptions | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      checkIntegrity(this.key, this.digest, this.options);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

export function verifiedBody(
  key: string,
  body: Readable | AsyncIterable<Uint8Array>,
  options: PutOptions | undefined,
): VerifiedBody {
  const digest = digesting(body);
  const verify = new VerifyAtEnd(key, digest, options);
  let failure: Error | undefined;
  const remember = (error: Error) => {
    failure ??= error;
  };
  digest.on('error', remember);
  verify.on('error', remember);
  pipeline(digest, verify, () => {});
  return {
    stream: verify,
    digest,
    failure: () => failure,
    destroy: (error) => {
      remember(error);
      digest.destroy(error);
    },
  };
}
