import { keyProblem } from '@deskrec/core';
import { z } from 'zod';

const MiB = 1024 * 1024;

/** S3 refuses parts under 5 MiB (except the last) and over 5 GiB. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;

const STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'REDUCED_REDUNDANCY',
  'EXPRESS_ONEZONE',
  'OUTPOSTS',
] as const;

/** "a/b/" and "/a/b" both mean the folder "a/b"; keys are stored as "<prefix>/<key>". */
function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

export const S3StorageOptionsSchema = z
  .object({
    bucket: z
      .string()
      .min(1)
      .regex(/^[a-zA-Z0-9._-]+$/, 'bucket names use only letters, digits, ".", "-" and "_"')
      .describe('Bucket that holds the recordings; it must exist (deskrec never creates buckets)'),
    region: z
      .string()
      .min(1)
      .default('us-east-1')
      .describe(
        'Region of the bucket, e.g. eu-west-1. S3-compatible services often accept any value (MinIO: us-east-1, R2: auto)',
      ),
    prefix: z
      .string()
      .default('')
      .transform(normalizePrefix)
      .refine((prefix) => prefix === '' || keyProblem(prefix) === undefined, {
        error: (issue) => `prefix is not a valid folder: ${keyProblem(normalizePrefix(String(issue.input)))}`,
      })
      .describe(
        'Folder inside the bucket for the recordings, e.g. "deskrec/tenant-a"; objects are stored as <prefix>/<key>. Empty: the bucket root',
      ),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Endpoint URL of an S3-compatible service (MinIO, Wasabi, Backblaze B2, Cloudflare R2, Ceph). Omit for Amazon S3',
      ),
    forcePathStyle: z
      .boolean()
      .default(false)
      .describe(
        'Address the bucket as <endpoint>/<bucket> instead of <bucket>.<endpoint>; most self-hosted services (MinIO, Ceph) need it',
      ),
    accessKeyId: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Access key id. Omit (with secretAccessKey) to use the standard AWS chain: environment, profile, SSO, instance or task role',
      ),
    secretAccessKey: z
      .string()
      .min(1)
      .optional()
      .describe('Secret access key belonging to accessKeyId (secret: never logged)'),
    sessionToken: z
      .string()
      .min(1)
      .optional()
      .describe('Session token for temporary credentials (secret: never logged)'),
    storageClass: z
      .enum(STORAGE_CLASSES)
      .optional()
      .describe(
        'Storage class of new objects, e.g. STANDARD_IA; omit for the bucket default. Archive classes that need a restore before reading are not offered',
      ),
    serverSideEncryption: z
      .enum(['AES256', 'aws:kms'])
      .optional()
      .describe(
        'Server-side encryption of new objects: AES256 (S3-managed keys) or aws:kms; omit for the bucket default',
      ),
    kmsKeyId: z
      .string()
      .min(1)
      .optional()
      .describe(
        'KMS key id or ARN used with serverSideEncryption "aws:kms"; omit for the account\'s default S3 key',
      ),
    partSize: z
      .number()
      .int()
      .min(MIN_PART_SIZE)
      .max(MAX_PART_SIZE)
      .default(MIN_PART_SIZE)
      .describe(
        'Multipart part size in bytes, 5 MiB (the default) to 5 GiB. Objects may have up to 10,000 parts; one upload holds about partSize × (queueSize + 2) in memory',
      ),
    queueSize: z.number().int().min(1).max(32).default(4).describe('Parts of one upload sent in parallel'),
    checksum: z
      .boolean()
      .default(true)
      .describe(
        'Send a SHA-256 checksum with each request so the service verifies the bytes it stores (S3 flexible checksums). Turn off for services that reject or ignore x-amz-checksum headers',
      ),
    conditionalCreate: z
      .boolean()
      .default(true)
      .describe(
        'Refuse to replace existing objects when asked, with If-None-Match: * (Amazon S3, recent MinIO, R2). Turn off for services that ignore the header',
      ),
    maxNameBytes: z
      .number()
      .int()
      .min(64)
      .max(255)
      .default(255)
      .describe(
        'Longest file or folder name between "/" in a key, in UTF-8 bytes; longer ones are shortened with a hash. 255 (deskrec\'s own limit) suits Amazon S3; lower it for an S3-compatible service that keeps objects as files and lengthens their names',
      ),
  })
  .superRefine((options, ctx) => {
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [options.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message: 'accessKeyId and secretAccessKey go together: set both, or neither to use the AWS chain',
      });
    }
    if (options.sessionToken !== undefined && options.accessKeyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['sessionToken'],
        message: 'sessionToken needs accessKeyId and secretAccessKey',
      });
    }
    if (options.kmsKeyId !== undefined && options.serverSideEncryption !== 'aws:kms') {
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKeyId'],
        message: 'kmsKeyId only applies with serverSideEncryption "aws:kms"',
      });
    }
  });

export type S3StorageOptions = z.output<typeof S3StorageOptionsSchema>;
export type S3StorageInput = z.input<typeof S3StorageOptionsSchema>;

/** Option keys that hold secrets, for definePlugin's `secrets`. */
export const S3_SECRETS = ['secretAccessKey', 'sessionToken'] as const;
