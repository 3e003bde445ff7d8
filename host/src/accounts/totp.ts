import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sha256Hex } from '../db/secrets.js';

/** RFC 6238 defaults every authenticator app understands. */
const PERIOD = 30;
const DIGITS = 6;
/** A code of the previous or next 30 s step is accepted too (clock drift, slow typing). */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const TOTP_CODE = /^\d{6}$/;

function totp(secret: string, label = 'deskrec', issuer = 'deskrec'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/** A new 160-bit secret (the RFC's recommended size), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI and its QR code (an SVG data URL) for enrolling an authenticator app. */
export async function enrolmentLink(
  secret: string,
  account: string,
  issuer: string,
): Promise<{ uri: string; qrCode: string }> {
  const uri = totp(secret, account, issuer).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The time step `code` belongs to, when it is right for `now` (± one step); otpauth compares in constant time. */
export function matchingStep(secret: string, code: string, now: Date): number | undefined {
  if (!TOTP_CODE.test(code)) return undefined;
  const timestamp = now.getTime();
  const delta = totp(secret).validate({ token: code, timestamp, window: WINDOW });
  return delta === null ? undefined : TOTP.counter({ period: PERIOD, timestamp }) + delta;
}

/** Recovery codes as shown once: 16 base32 characters (80 random bits) in groups of four. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...randomBytes(16)].map((b) => BASE32[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** The stored digest of a recovery code as typed: case, spaces and dashes do not matter. */
export function recoveryCodeDigest(code: string): string {
  return sha256Hex(code.toUpperCase().replace(/[^A-Z2-7]/g, ''));
}
