import type { Controller } from '../../src/controller/index.js';
import type { TargetResolver } from '../../src/storage/target-resolver.js';
import { startTestHost, type TestHost } from '../api-harness.js';
import type { DatabaseKind } from '../db-harness.js';

export interface PortalHost {
  t: TestHost;
  /** The host's web port: portal, playback and API. */
  url: string;
  resolver: TargetResolver;
  controller: Controller;
  /** ws:// address of the controller's TCP listener. */
  controllerUrl: string;
  tenantId: string;
  adminPassword: string;
  /** Signs in through the portal's form and returns the session cookie ("deskrec_session=..."). */
  signIn(username?: string, password?: string): Promise<string>;
  /** A request to the portal with a cookie and a same-origin Origin header (as a browser sends). */
  fetch(path: string, init?: RequestInit & { cookie?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/** A started host (it serves portal, playback and API on its web port) with helpers for portal tests. */
export async function startPortalHost(kind: DatabaseKind = 'embedded'): Promise<PortalHost> {
  const t = await startTestHost(kind);
  const { repos } = t.host.services();
  const { controller, targets: resolver } = t.host.runtime();
  const url = t.url;
  const tenantId = (await repos.tenants.bySlug('default'))!.id;
  const adminPassword = t.credentials.password;

  const portalFetch: PortalHost['fetch'] = (path, init = {}) => {
    const { cookie, headers, ...rest } = init;
    const h = new Headers(headers);
    if (cookie) h.set('cookie', cookie);
    if (!h.has('origin')) h.set('origin', url);
    return fetch(`${url}${path}`, { redirect: 'manual', ...rest, headers: h });
  };

  return {
    t,
    url,
    resolver,
    controller,
    controllerUrl: `ws://127.0.0.1:${controller.status().listening.tcp?.port}/`,
    tenantId,
    adminPassword,
    fetch: portalFetch,
    async signIn(username = 'admin', password = adminPassword) {
      const res = await portalFetch('/login', {
        method: 'POST',
        body: new URLSearchParams({ username, password, next: '/calls' }),
      });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('deskrec_session='));
      if (!cookie) throw new Error('sign-in set no session cookie');
      return cookie.split(';')[0]!;
    },
    async stop() {
      await t.stop();
    },
  };
}
