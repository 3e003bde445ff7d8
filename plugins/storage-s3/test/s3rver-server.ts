import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type S3StorageInput, S3StorageOptionsSchema, S3StorageTarget } from '../src/index.js';

/** s3rver accepts only this access key id and secret. */
export const S3RVER_KEY = 'S3RVER';

/** A real s3rver on 127.0.0.1 (ephemeral port) in a child process, storing into a temp folder. */
export class LocalS3 {
  private constructor(
    private readonly child: ChildProcess,
    readonly directory: string,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<LocalS3> {
    return LocalS3.reopen(await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-s3rver-')));
  }

  /** A new server (new port) on the store of an earlier one, e.g. after killing it. */
  static async reopen(directory: string): Promise<LocalS3> {
    const script = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, directory], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const { port } = JSON.parse(line) as { port: number };
    return new LocalS3(child, directory, `http://127.0.0.1:${port}`);
  }

  /** A plain SDK client with the credentials s3rver accepts. */
  client(): S3Client {
    return new S3Client({
      region: 'us-east-1',
      endpoint: this.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async createBucket(bucket: string): Promise<void> {
    const client = this.client();
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
  }

  /**
   * Options for a target on this server. s3rver verifies no checksums and ignores If-None-Match on
   * writes, so checksum and conditionalCreate are off: the kit then checks that the target says so. It
   * stores objects as files with a suffix, so names are kept shorter.
   */
  options(bucket: string, extra: Partial<S3StorageInput> = {}): S3StorageInput {
    return {
      bucket,
      endpoint: this.endpoint,
      forcePathStyle: true,
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_KEY,
      checksum: false,
      conditionalCreate: false,
      // s3rver keeps each object as files named "<name>._S3rver_object" and "<name>._S3rver_metadata.json".
      maxNameBytes: 255 - '._S3rver_metadata.json'.length,
      ...extra,
    };
  }

  target(bucket: string, extra: Partial<S3StorageInput> = {}): S3StorageTarget {
    return new S3StorageTarget(S3StorageOptionsSchema.parse(this.options(bucket, extra)));
  }

  /** Kills the server at once, cutting open connections: a crash, as seen from the client. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await fs.rm(this.directory, { recursive: true, force: true });
  }
}
