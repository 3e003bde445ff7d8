import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  groups?: string[];
}

export const TEST_CLIENT = { id: 'deskrec', secret: 'test-client-secret-0123456789abcdef' };

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 with one confidential client and the given
 * accounts; its development login and consent forms accept any password. The client is registered once
 * the deskrec host's address (its redirect URI) is known.
 */
export async function startTestProvider(accounts: Map<string, TestAccount>) {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    /** `claimedIssuer` makes the provider name another issuer than its address (a misconfigured one). */
    register(redirectUri: string, claimedIssuer = issuer) {
      const provider = new Provider(claimedIssuer, {
        clients: [
          {
            client_id: TEST_CLIENT.id,
            client_secret: TEST_CLIENT.secret,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        claims: {
          openid: ['sub'],
          email: ['email', 'email_verified'],
          profile: ['preferred_username', 'groups'],
        },
        async findAccount(_ctx, id) {
          const account = accounts.get(id);
          if (!account) return undefined;
          return { accountId: id, claims: async () => ({ sub: id, ...account }) };
        },
      });
      handler = provider.callback();
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Cookies of one site, as a browser would keep them (names only; the tests need no paths). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * The browser's part at the provider: follows its redirects and submits its login and consent forms until
 * it sends the browser back to `callbackPrefix`; returns that callback URL.
 */
export async function passProvider(authorizeUrl: string, accountId: string, callbackPrefix: string) {
  const jar = new CookieJar();
  let url = new URL(authorizeUrl);
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { method: 'POST', body: form } : {}),
    });
    jar.take(res);
    form = undefined;
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url);
      await res.body?.cancel();
      if (url.href.startsWith(callbackPrefix)) return url;
      continue;
    }
    const page = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1];
    if (res.status !== 200 || !action || !prompt) {
      throw new Error(`the provider answered ${res.status} without a form: ${page.slice(0, 500)}`);
    }
    url = new URL(action, url);
    form = new URLSearchParams({ prompt, login: accountId, password: 'any password' });
  }
  throw new Error('the provider never sent the browser back');
}
