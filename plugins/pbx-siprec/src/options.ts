import net from 'node:net';
import { z } from 'zod';

const regex = (what: string) =>
  z.string().refine(
    (pattern) => {
      try {
        new RegExp(pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: `${what} is not a valid regular expression` },
  );

const port = z.number().int().min(0).max(65535);

export const SiprecOptionsSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Address the SIP and RTP sockets bind to; `0.0.0.0` to receive from SBCs on other machines (the default takes nothing from the network)',
      ),
    mediaAddress: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Address written in the SDP answer for RTP (behind NAT, or when `host` is 0.0.0.0); default: `host`, else the address the request arrived on',
      ),
    port: port
      .default(5060)
      .describe('SIP port for UDP and TCP (0 = any free port, for tests; the bound port is in health())'),
    udp: z.boolean().default(true).describe('Accept SIP over UDP'),
    tcp: z.boolean().default(true).describe('Accept SIP over TCP'),
    tls: z
      .object({
        port: port.default(5061).describe('SIP over TLS port (0 = any free port)'),
        certFile: z.string().min(1).describe('PEM certificate chain file'),
        keyFile: z.string().min(1).describe('PEM private key file'),
      })
      .optional()
      .describe('Accept SIP over TLS as well (SIPS); unset: no TLS listener'),
    allowFrom: z
      .array(
        z.string().refine(
          (entry) => {
            const [address = '', prefix, extra] = entry.split('/');
            if (extra !== undefined || !net.isIP(address)) return false;
            const max = net.isIPv6(address) ? 128 : 32;
            return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
          },
          { message: 'is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24)' },
        ),
      )
      .min(1)
      .optional()
      .describe(
        'Addresses or CIDR ranges of the SRCs (SBCs, PBXs) allowed to send SIP; others get 403. Unset: anyone who can reach the port',
      ),
    rtpPortMin: port
      .min(1024)
      .default(40000)
      .describe('Lowest RTP port offered in SDP answers (even ports are used)'),
    rtpPortMax: port.min(1024).default(49999).describe('Highest RTP port offered in SDP answers'),
    agentPattern: regex('agentPattern')
      .default('^sips?:(\\d+)@')
      .describe(
        'A participant whose AOR (rs-metadata `nameID aor`) matches this regex is the agent; its first capture group (else the URI user part) is the extension',
      ),
    agentDomains: z
      .array(z.string().min(1))
      .optional()
      .describe('When set, the agent’s AOR host must also be one of these domains (case-insensitive)'),
    recordingsDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Folder the WAV files are written to while calls run; default `<plugin data dir>/recordings`',
      ),
    jitterBufferMs: z
      .number()
      .int()
      .min(20)
      .max(2000)
      .default(200)
      .describe('How long audio is held to put reordered RTP packets back in place before it is written'),
    headerRewriteMs: z
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(1000)
      .describe(
        'How often the WAV header is rewritten with the current length, so a file cut by a crash still plays',
      ),
    rtpTimeoutSeconds: z
      .number()
      .min(0.2)
      .max(3600)
      .default(30)
      .describe('End the call (and send BYE) when no RTP arrived on any stream for this long'),
    maxCalls: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(2000)
      .describe('Calls recorded at once; more get 503'),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024)
      .default(64 * 1024)
      .describe('Largest SIP message accepted; larger ones get 413 (UDP) or close the TCP connection'),
  })
  .refine((o) => o.rtpPortMin <= o.rtpPortMax, {
    message: 'rtpPortMin must not be above rtpPortMax',
    path: ['rtpPortMax'],
  })
  .refine((o) => o.udp || o.tcp || o.tls, { message: 'enable at least one of udp, tcp, tls', path: ['udp'] });

export type SiprecOptions = z.output<typeof SiprecOptionsSchema>;
export type SiprecOptionsInput = z.input<typeof SiprecOptionsSchema>;
