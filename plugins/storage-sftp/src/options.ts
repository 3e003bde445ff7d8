import { z } from 'zod';

export const SftpStorageOptionsSchema = z
  .object({
    host: z.string().min(1).describe('SFTP server host name or IP address'),
    port: z.number().int().min(1).max(65535).default(22).describe('SSH port of the server'),
    username: z.string().min(1).describe('Login name on the SFTP server'),
    password: z
      .string()
      .min(1)
      .optional()
      .describe('Password for password authentication (secret); give this or privateKey'),
    privateKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Private key for public-key authentication (secret): the PEM/OpenSSH text itself, or the path of a key file on the host',
      ),
    passphrase: z.string().min(1).optional().describe('Passphrase of an encrypted privateKey (secret)'),
    hostKeyFingerprint: z
      .string()
      .regex(
        /^(SHA256:)?[A-Za-z0-9+/]{43}=?$/,
        'expected a SHA-256 fingerprint as OpenSSH prints it, e.g. "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"',
      )
      .optional()
      .describe(
        'Pinned host key fingerprint as printed by `ssh-keygen -lf` (SHA256:...); a different key is refused. Without it any key is accepted and a warning logs the key seen',
      ),
    root: z
      .string()
      .min(1)
      .default('.')
      .describe(
        'Remote folder that holds the recordings; created when missing. Relative paths start at the login folder',
      ),
    connections: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('Number of SSH connections kept open; SFTP requests are multiplexed on each'),
    connectTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(20_000)
      .describe('How long to wait for the SSH handshake and login before giving up'),
    keepaliveIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(10_000)
      .describe('Interval of SSH keepalive probes that detect a dead connection; 0 turns them off'),
    keepaliveCountMax: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('Unanswered keepalive probes after which the connection counts as dropped'),
    parallelRequests: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(64)
      .describe(
        'Bytes of SFTP reads/writes kept in flight per transfer, in units of 32 KiB (as fastPut/fastGet); more helps on high-latency links, each unit costs 32 KiB of memory',
      ),
  })
  .refine((o) => o.password !== undefined || o.privateKey !== undefined, {
    message: 'give either password or privateKey',
    path: ['password'],
  });

export type SftpStorageOptions = z.output<typeof SftpStorageOptionsSchema>;

/** Option keys whose values are secrets: never logged, never shown back in full. */
export const SFTP_SECRETS = ['password', 'privateKey', 'passphrase'] as const;
