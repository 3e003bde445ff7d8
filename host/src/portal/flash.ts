import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

const FLASH_COOKIE = 'deskrec_flash';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** A one-time message shown on the page a form redirects to (post/redirect/get). */
export function setFlash(c: Context, flash: Flash): void {
  // hono encodes the cookie value (and getCookie decodes it).
  setCookie(c, FLASH_COOKIE, JSON.stringify(flash), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: 60,
  });
}

export function takeFlash(c: Context): Flash | undefined {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: '/' });
  try {
    const value = JSON.parse(raw) as Partial<Flash>;
    if ((value.kind === 'ok' || value.kind === 'error') && typeof value.text === 'string') {
      return { kind: value.kind, text: value.text.slice(0, 500) };
    }
  } catch {}
  return undefined;
}
