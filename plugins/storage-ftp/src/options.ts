import { z } from 'zod';

export const FtpStorageOptionsSchema = z
  .object({
    host: z.string().min(1).describe('FTP server host name or IP address'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Control port; default 21, or 990 with secure "implicit"'),
    user: z.string().min(1).describe('Login name'),
    password: z.string().default('').describe('Login password (secret: never logged or shown in errors)'),
    root: z
      .string()
      .min(1)
      .default('/')
      .refine((root) => !root.split('/').includes('..'), 'must not contain ".." folders')
      .describe(
        'Folder on the server that holds the recordings; a relative path starts at the login folder. Created when missing',
      ),
    secure: z
      .enum(['none', 'explicit', 'implicit'])
      .default('explicit')
      .describe(
        'Encryption: "explicit" FTPS (AUTH TLS on the normal port), "implicit" FTPS (TLS from the first byte, usually port 990) or "none" (plain FTP: password and recordings travel unencrypted)',
      ),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Extra CA certificate(s) to trust for the server's certificate: PEM text or the path of a PEM file (for self-signed or private-CA servers)",
      ),
    skipCertificateVerification: z
      .boolean()
      .default(false)
      .describe(
        "Accept any server certificate without checking it. Unsafe: anyone on the path can read the traffic; prefer 'ca'",
      ),
    servername: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Name expected in the server's certificate when it differs from host (e.g. host is an IP address)",
      ),
    passive: z
      .enum(['auto', 'epsv', 'pasv'])
      .default('auto')
      .describe(
        'Passive-mode data connections: "auto" tries EPSV then PASV (data always goes to the control host), "epsv" only EPSV, "pasv" only PASV to the address the server announces (private addresses behind NAT are replaced by the control host). Active mode is not supported',
      ),
    timeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(30_000)
      .describe('Milliseconds without progress after which connecting, a command or a transfer fails'),
    idleTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(60_000)
      .describe(
        'Pooled connections idle longer than this are closed (keep it below the server idle timeout)',
      ),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(4)
      .describe(
        'Most simultaneous connections to the server; each concurrent transfer needs its own (FTP is one command at a time)',
      ),
  })
  .superRefine((options, ctx) => {
    if (
      options.secure === 'none' &&
      (options.ca || options.servername || options.skipCertificateVerification)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['secure'],
        message:
          'TLS settings (ca, servername, skipCertificateVerification) need secure "explicit" or "implicit"',
      });
    }
    if (options.ca && options.skipCertificateVerification) {
      ctx.addIssue({
        code: 'custom',
        path: ['skipCertificateVerification'],
        message: 'choose either a trusted ca or skipping verification, not both',
      });
    }
  });

export type FtpStorageOptions = z.output<typeof FtpStorageOptionsSchema>;
export type FtpStorageInput = z.input<typeof FtpStorageOptionsSchema>;
