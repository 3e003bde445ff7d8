import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a signed upload token says about its capture; enough to re-create its rows if they were lost. */
export interface UploadClaims {
  tenantId: string;
  workstationId: string;
  recordingId: string;
  captureId: string;
  userId: string | null;
  /** The call that started the capture: its source and the phone system's call id. */
  call: { sourceId: string; externalCallId: string } | null;
  issuedAt: Date;
  /** Until then an upload may re-create the capture's lost rows; the recording's own expiry rules otherwise. */
  expiresAt: Date;
}

const PREFIX = 'dr1';
/** Characters of a signed token: the parts are base64url, joined by dots. */
export const SIGNED_TOKEN = /^dr1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16,1400}\.[A-Za-z0-9_-]{43}$/;

const text = (max: number) => z.string().min(1).max(max);
const seconds = z.number().int().positive();
/** Short keys: the token travels in every upload request. */
const ClaimsSchema = z
  .object({
    t: text(128),
    w: text(128),
    r: text(128),
    c: text(128),
    u: text(128).nullable(),
    s: text(128).optional(),
    x: text(256).optional(),
    iat: seconds,
    exp: seconds,
  })
  .strict();

const sign = (secret: Buffer, body: string) => createHmac('sha256', secret).update(body).digest();

/** Signs `claims` with key `keyId`: `dr1.<key id>.<claims>.<HMAC-SHA256>`. */
export function signUploadToken(keyId: string, secret: Buffer, claims: UploadClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      t: claims.tenantId,
      w: claims.workstationId,
      r: claims.recordingId,
      c: claims.captureId,
      u: claims.userId,
      ...(claims.call ? { s: claims.call.sourceId, x: claims.call.externalCallId } : {}),
      iat: Math.floor(claims.issuedAt.getTime() / 1000),
      exp: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString('base64url');
  const body = `${PREFIX}.${keyId}.${payload}`;
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/** The key id a signed token names, or undefined when it is not shaped like one. */
export const keyIdOf = (token: string): string | undefined =>
  SIGNED_TOKEN.test(token) ? token.split('.')[1] : undefined;

export type Verified = { ok: true; claims: UploadClaims } | { ok: false; reason: string };

/** Checks the signature (in constant time) and then the claims; `secret` is the key the token names. */
export function verifyUploadToken(token: string, secret: Buffer): Verified {
  const [prefix, keyId, payload, signature] = token.split('.') as [string, string, string, string];
  const expected = sign(secret, `${prefix}.${keyId}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'the upload token is not valid: its signature does not match' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the upload token is not valid: its claims are not JSON' };
  }
  const parsed = ClaimsSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: 'the upload token is not valid: its claims are malformed' };
  const c = parsed.data;
  return {
    ok: true,
    claims: {
      tenantId: c.t,
      workstationId: c.w,
      recordingId: c.r,
      captureId: c.c,
      userId: c.u,
      call: c.s && c.x ? { sourceId: c.s, externalCallId: c.x } : null,
      issuedAt: new Date(c.iat * 1000),
      expiresAt: new Date(c.exp * 1000),
    },
  };
}
