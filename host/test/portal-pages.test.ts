import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseKinds, tempDir } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';
import { seedCall } from './support/portal-media.js';

const ADMIN_PAGES = [
  '/admin/workstations',
  '/admin/workstations?tab=pending',
  '/admin/settings',
  '/admin/settings/token',
  '/admin/users',
  '/admin/users/new',
  '/admin/storage-targets',
  '/admin/storage-targets/new?kind=local',
  '/admin/storage-targets/new?kind=ftp',
  '/admin/system-log',
];

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return body;
};

for (const kind of await databaseKinds()) {
  const test = suite<{
    p: PortalHost;
    admin: string;
    supervisor: string;
    files: { path: string; remove(): Promise<void> };
  }>(`portal pages over HTTP (${kind})`);

  test.before(async (ctx) => {
    ctx.p = await startPortalHost(kind);
    ctx.admin = await ctx.p.signIn();
    await ctx.p.t.host.services().repos.adminUsers.create(ctx.p.tenantId, {
      username: 'sue',
      password: 'supervisor-pass-1',
      role: 'supervisor',
    });
    ctx.supervisor = await ctx.p.signIn('sue', 'supervisor-pass-1');
    ctx.files = await tempDir('deskrec-portal-pages-');
  });
  test.after(async (ctx) => {
    await ctx.p.stop();
    await ctx.files.remove();
  });

  test('without a session, pages redirect to sign-in and come back afterwards', async ({ p }) => {
    const res = await p.fetch('/admin/settings');
    assert.is(res.status, 303);
    assert.is(res.headers.get('location'), '/login?next=%2Fadmin%2Fsettings');
    const login = await p.fetch('/login?next=%2Fadmin%2Fsettings');
    assert.is(login.status, 200);
    const html = await login.text();
    assert.match(html, /<label for="username">Username<\/label>/);
    assert.match(html, /name="next" value="\/admin\/settings"/);
    const signedIn = await p.fetch('/login', {
      method: 'POST',
      body: form({ username: 'admin', password: p.adminPassword, next: '/admin/settings' }),
    });
    assert.is(signedIn.status, 303);
    assert.is(signedIn.headers.get('location'), '/admin/settings');
    assert.match(signedIn.headers.get('set-cookie') ?? '', /deskrec_session=[0-9a-f]{64}.*HttpOnly/);
  });

  test('a wrong password re-renders the form with one message and 401; next cannot leave the site', async ({
    p,
  }) => {
    const res = await p.fetch('/login', {
      method: 'POST',
      body: form({ username: 'admin', password: 'wrong', next: '//evil.example/' }),
    });
    assert.is(res.status, 401);
    const html = await res.text();
    assert.match(html, /Wrong username or password\./);
    assert.match(html, /name="next" value="\/calls"/);
    assert.is(res.headers.get('set-cookie'), null);
  });

  test('admin: every administration page renders with the navigation', async ({ p, admin }) => {
    for (const path of ['/calls', ...ADMIN_PAGES]) {
      const res = await p.fetch(path, { cookie: admin });
      assert.is(res.status, 200, path);
      const html = await res.text();
      assert.match(html, /<nav class="side" aria-label="Main">/, path);
      assert.match(html, /href="\/admin\/workstations"/, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
    }
  });

  test('supervisor: calls only; administration pages answer 403 with an explanation', async ({
    p,
    supervisor,
  }) => {
    const calls = await p.fetch('/calls', { cookie: supervisor });
    assert.is(calls.status, 200);
    const html = await calls.text();
    assert.not.match(html, /href="\/admin\/workstations"/);
    for (const path of ADMIN_PAGES) {
      const res = await p.fetch(path, { cookie: supervisor });
      assert.is(res.status, 403, path);
      assert.match(await res.text(), /This page is for administrators/, path);
    }
    const post = await p.fetch('/admin/settings', {
      method: 'POST',
      cookie: supervisor,
      body: form({ fps: '5' }),
    });
    assert.is(post.status, 403);
  });

  test('forms from another origin are refused', async ({ p, admin }) => {
    const res = await p.fetch('/admin/workstations', {
      method: 'POST',
      cookie: admin,
      headers: { origin: 'https://evil.example' },
      body: form({ action: 'delete', ids: 'x' }),
    });
    assert.is(res.status, 403);
  });

  test('settings: out-of-range values get core’s messages next to their fields; valid ones are saved', async ({
    p,
    admin,
  }) => {
    const bad = await p.fetch('/admin/settings', {
      method: 'POST',
      cookie: admin,
      body: form({
        fps: '99',
        bitrateKbps: '5',
        multiMonitor: 'all',
        fileNameFormat: '%{nope}',
        storageHostUrl: '',
      }),
    });
    assert.is(bad.status, 400);
    const html = await bad.text();
    assert.match(html, /id="s-fps-error" role="alert">Too big: expected number to be &lt;=30</);
    assert.match(html, /id="s-bitrateKbps-error" role="alert">Too small: expected number to be &gt;=16</);
    assert.match(html, /id="s-fileNameFormat-error"/);
    assert.match(html, /aria-invalid="true"/);
    assert.is((await p.t.host.services().repos.settings.get(p.tenantId)).fps, 5);
    const good = await p.fetch('/admin/settings', {
      method: 'POST',
      cookie: admin,
      body: form({
        fps: '2.5',
        wrapUpSeconds: '30',
        multiMonitor: 'all',
        storageHostUrl: 'https://rec.example.com',
      }),
    });
    assert.is(good.status, 303);
    const saved = await p.t.host.services().repos.settings.get(p.tenantId);
    assert.is(saved.fps, 2.5);
    assert.is(saved.wrapUpSeconds, 30);
    assert.is(saved.multiMonitor, 'all');
    // The confirmation travels in a one-time cookie to the page the form redirects to.
    const flash = good.headers
      .getSetCookie()
      .find((c) => c.startsWith('deskrec_flash='))!
      .split(';')[0]!;
    const page = await (await p.fetch('/admin/settings', { cookie: `${admin}; ${flash}` })).text();
    assert.match(page, /Settings saved/);
    assert.match(page, /https:\/\/rec\.example\.com\/api\/uploads/);
  });

  test('token reset asks first, then shows the new token once', async ({ p, admin }) => {
    const confirm = await (await p.fetch('/admin/settings/token', { cookie: admin })).text();
    assert.match(confirm, /Yes, reset the token/);
    const before = (await p.t.host.services().repos.tenants.get(p.tenantId))!.token_hint;
    const res = await p.fetch('/admin/settings/token', { method: 'POST', cookie: admin });
    assert.is(res.status, 200);
    const token = /<p class="token" id="new-token">([0-9a-f]{32})<\/p>/.exec(await res.text())?.[1];
    assert.ok(token, 'the new token is on the page');
    const { repos } = p.t.host.services();
    assert.equal(await repos.directory.findTenantByToken(token!), { tenantId: p.tenantId });
    assert.is.not((await repos.tenants.get(p.tenantId))!.token_hint, before);
    assert.not.match(await (await p.fetch('/admin/settings', { cookie: admin })).text(), new RegExp(token!));
  });

  test('users: the API’s validation shows next to the field; a valid user is saved', async ({ p, admin }) => {
    const bad = await p.fetch('/admin/users/new', {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Alice', screenRecordingLogin: 'a\\b\\c', extensions: '201, 2 0!' }),
    });
    assert.is(bad.status, 400);
    const html = await bad.text();
    assert.match(html, /id="u-screenRecordingLogin-error"/);
    const ok = await p.fetch('/admin/users/new', {
      method: 'POST',
      cookie: admin,
      body: form({
        name: 'Alice Agent',
        screenRecordingLogin: 'CORP\\alice',
        extensions: '201, 202',
        seatLicence: '1',
      }),
    });
    assert.is(ok.status, 303);
    const [alice] = await p.t.host.services().repos.users.list(p.tenantId, 'alice');
    assert.equal(
      { login: alice!.screenRecordingLogin, ext: alice!.extensions, licence: alice!.seatLicence },
      { login: 'CORP\\alice', ext: ['201', '202'], licence: true },
    );
    const clash = await p.fetch('/admin/users/new', {
      method: 'POST',
      cookie: admin,
      body: form({ name: 'Bob', screenRecordingLogin: 'corp\\ALICE' }),
    });
    assert.is(clash.status, 409);
    assert.match(
      await clash.text(),
      /id="u-screenRecordingLogin-error" role="alert">Another user already has/,
    );
  });

  test('storage targets: form from the plugin schema, secrets never rendered back, blank keeps them', async ({
    p,
    admin,
  }) => {
    const newForm = await (await p.fetch('/admin/storage-targets/new?kind=ftp', { cookie: admin })).text();
    assert.match(newForm, /<label for="o-host">Host \*<\/label>/);
    assert.match(newForm, /FTP server host name or IP address/);
    assert.match(newForm, /<select id="o-secure" name="opt.secure"/);
    assert.match(newForm, /type="password"/);
    const missing = await p.fetch('/admin/storage-targets/new', {
      method: 'POST',
      cookie: admin,
      body: form({ kind: 'ftp', name: 'Archive', 'opt.host': 'ftp.example.com', 'opt.port': '70000' }),
    });
    assert.is(missing.status, 400);
    const missingHtml = await missing.text();
    assert.match(missingHtml, /id="o-port-error"/);
    assert.match(missingHtml, /id="o-user-error"/);
    const created = await p.fetch('/admin/storage-targets/new', {
      method: 'POST',
      cookie: admin,
      body: form({
        kind: 'ftp',
        name: 'Archive',
        'opt.host': 'ftp.example.com',
        'opt.user': 'rec',
        'opt.password': 'sup3r-secret-pw',
        'opt.secure': 'none',
      }),
    });
    assert.is(created.status, 303);
    const { repos } = p.t.host.services();
    const target = (await repos.storageTargets.list(p.tenantId)).find((t) => t.name === 'Archive')!;
    assert.is(target.options.password, 'sup3r-secret-pw');
    const edit = await (await p.fetch(`/admin/storage-targets/${target.id}`, { cookie: admin })).text();
    assert.match(edit, /value="ftp\.example\.com"/);
    assert.not.match(edit, /sup3r-secret-pw/);
    const saved = await p.fetch(`/admin/storage-targets/${target.id}`, {
      method: 'POST',
      cookie: admin,
      body: form({
        name: 'Archive 2',
        'opt.host': 'ftp2.example.com',
        'opt.user': 'rec',
        'opt.password': '',
        'opt.secure': 'none',
      }),
    });
    assert.is(saved.status, 303);
    const after = (await repos.storageTargets.get(p.tenantId, target.id))!;
    assert.is(after.name, 'Archive 2');
    assert.is(after.options.host, 'ftp2.example.com');
    assert.is(after.options.password, 'sup3r-secret-pw');
    const test = await p.fetch(`/admin/storage-targets/${target.id}/test`, {
      method: 'POST',
      cookie: admin,
      headers: { accept: 'application/json' },
    });
    const outcome = (await test.json()) as { ok: boolean; message: string };
    assert.is(outcome.ok, false, 'nothing listens at ftp2.example.com');
    assert.ok(outcome.message.length > 0);
    const deleted = await p.fetch(`/admin/storage-targets/${target.id}/delete`, {
      method: 'POST',
      cookie: admin,
    });
    assert.is(deleted.status, 303);
    assert.is(await repos.storageTargets.get(p.tenantId, target.id), undefined);
  });

  test('workstations: tabs, search, bulk actions through the API, live state as JSON', async ({
    p,
    admin,
  }) => {
    const { db } = p.t.host.services().database;
    const now = new Date();
    const row = (id: string, name: string, ip: string, state: 'pending' | 'authorized') => ({
      tenant_id: p.tenantId,
      id,
      secret_hash: 'x',
      state,
      computer_name: name,
      domain: 'CORP',
      os: JSON.stringify({ platform: 'win32', release: '10' }),
      agent_version: '0.1.0',
      monitors: '[]',
      login: 'CORP\\alice',
      remote_address: ip,
      first_seen: now,
      last_seen: now,
    });
    await db
      .insertInto('workstations')
      .values([
        row('ws-a', 'PC-ALPHA', '10.0.0.5', 'pending'),
        row('ws-b', 'PC-BRAVO', '10.0.0.6', 'pending'),
      ])
      .execute();
    const pending = await (await p.fetch('/admin/workstations?tab=pending', { cookie: admin })).text();
    assert.match(pending, /Pending authorization<span class="count">2<\/span>/);
    const search = await (await p.fetch('/admin/workstations?search=10.0.0.6', { cookie: admin })).text();
    assert.match(search, /PC-BRAVO/);
    assert.not.match(search, /PC-ALPHA/);
    const res = await p.fetch('/admin/workstations', {
      method: 'POST',
      cookie: admin,
      body: form({ action: 'authorize', ids: ['ws-a', 'ws-b'], back: '/admin/workstations?tab=pending' }),
    });
    assert.is(res.status, 303);
    assert.is(res.headers.get('location'), '/admin/workstations?tab=pending');
    assert.match(decodeURIComponent(res.headers.get('set-cookie') ?? ''), /2 workstations authorized\./);
    const { repos } = p.t.host.services();
    assert.is((await repos.workstations.get(p.tenantId, 'ws-a'))!.state, 'authorized');
    const audit = await repos.audit.list(p.tenantId, 20);
    assert.ok(audit.some((a) => a.action === 'workstation.authorize' && a.ip === '127.0.0.1'));
    const liveRes = await p.fetch('/admin/workstations/live.json?id=ws-a&id=nope', { cookie: admin });
    const live = (await liveRes.json()) as {
      items: { id: string; state: string; online: boolean; login: string | null; lastSeen: string }[];
    };
    assert.is(live.items.length, 1);
    const { lastSeen: _seen, ...first } = live.items[0]! as (typeof live.items)[0] & { stateHtml?: string };
    assert.equal(
      { id: first.id, state: first.state, online: first.online, login: first.login },
      { id: 'ws-a', state: 'authorized', online: false, login: 'CORP\\alice' },
    );
    const removed = await p.fetch('/admin/workstations', {
      method: 'POST',
      cookie: admin,
      body: form({ action: 'delete', ids: 'ws-b' }),
    });
    assert.is(removed.status, 303);
    assert.is(await repos.workstations.get(p.tenantId, 'ws-b'), undefined);
  });

  test('calls list: screen-recording state per call, filters and paging', async (ctx) => {
    const { p, admin } = ctx;
    const file = join(ctx.files.path, 'seg.mp4');
    await writeFile(file, Buffer.alloc(2048, 7));
    const stored = await seedCall(
      p,
      { audio: null, segments: [{ file, offsetMs: 0, durationMs: 5000 }] },
      { callSeconds: 8, fromNumber: '5551111' },
    );
    const uploading = await seedCall(
      p,
      {
        audio: null,
        segments: [
          { file, offsetMs: 0, durationMs: 5000 },
          { file, offsetMs: 5000, durationMs: 5000, stored: false },
        ],
      },
      { callSeconds: 10, fromNumber: '5552222' },
    );
    const none = await seedCall(p, { audio: null, segments: [] }, { callSeconds: 10, fromNumber: '5553333' });
    await p.t.host
      .services()
      .database.db.updateTable('calls')
      .set({ no_recording_reason: 'no-licence: Bob has no screen-recording seat licence' })
      .where('id', '=', none.callId)
      .execute();
    const html = await (await p.fetch('/calls', { cookie: admin })).text();
    assert.match(html, /<span class="badge ok">Stored<\/span>/);
    assert.match(html, /<span class="badge warn">Uploading<\/span>/);
    assert.match(html, /Bob has no screen-recording seat licence/);
    const withScreen = await (await p.fetch('/calls?screen=yes', { cookie: admin })).text();
    assert.match(withScreen, new RegExp(stored.callId));
    assert.match(withScreen, new RegExp(uploading.callId));
    assert.not.match(withScreen, new RegExp(none.callId));
    const byPhone = await (await p.fetch('/calls?phone=2222', { cookie: admin })).text();
    assert.match(byPhone, new RegExp(uploading.callId));
    assert.not.match(byPhone, new RegExp(stored.callId));
    // The seeded call's own day (it starts an hour back, which is yesterday just after midnight UTC).
    const { started_at } = await p.t.host
      .services()
      .database.db.selectFrom('calls')
      .select('started_at')
      .where('id', '=', stored.callId)
      .executeTakeFirstOrThrow();
    const callDay = new Date(started_at).toISOString().slice(0, 10);
    const byDate = await (await p.fetch(`/calls?from=2000-01-01&to=2000-01-02`, { cookie: admin })).text();
    assert.match(byDate, /No calls match these filters/);
    assert.match(
      await (await p.fetch(`/calls?from=${callDay}&tz=0`, { cookie: admin })).text(),
      new RegExp(stored.callId),
    );
    for (let i = 0; i < 26; i++)
      await seedCall(p, { audio: null, segments: [] }, { callSeconds: 1, fromNumber: `600${i}` });
    const first = await (await p.fetch('/calls', { cookie: admin })).text();
    assert.match(first, /1–25 of \d+/);
    assert.match(first, /href="\/calls\?offset=25" rel="next"/);
    assert.match(await (await p.fetch('/calls?offset=25', { cookie: admin })).text(), /26–\d+ of \d+/);
  });

  test('call page: "not uploaded yet" with progress while parts are on their way', async (ctx) => {
    const { p, admin } = ctx;
    const file = join(ctx.files.path, 'seg2.mp4');
    await writeFile(file, Buffer.alloc(1000, 1));
    const call = await seedCall(
      p,
      {
        audio: null,
        segments: [
          { file, offsetMs: 0, durationMs: 5000 },
          { file, offsetMs: 5000, durationMs: 5000, stored: false },
        ],
      },
      { callSeconds: 10 },
    );
    const html = await (await p.fetch(`/calls/${call.callId}`, { cookie: admin })).text();
    assert.match(html, /Screen recording file is not uploaded yet/);
    assert.match(html, /1 of 2 parts stored \(1000 B of 2\.0 KB\)/);
    const progress = await (await p.fetch(`/calls/${call.callId}/progress.json`, { cookie: admin })).json();
    assert.equal(progress, {
      complete: false,
      percent: 50,
      text: '1 of 2 parts stored (1000 B of 2.0 KB)',
      stored: 1,
      total: 2,
    });
  });

  test('a call of another tenant is a 404 page', async ({ p }) => {
    const file = join(process.cwd(), 'package.json');
    const call = await seedCall(p, { audio: file, segments: [] }, { callSeconds: 3 });
    const { repos } = p.t.host.services();
    const { tenant } = await repos.tenants.create({ slug: 'other', name: 'Other' });
    await repos.adminUsers.create(tenant.id, {
      username: 'admin',
      password: 'other-password-1',
      role: 'admin',
    });
    const res = await p.fetch('/login', {
      method: 'POST',
      body: form({ username: 'admin', password: 'other-password-1', tenant: 'other', next: '/calls' }),
    });
    const other = res.headers.getSetCookie()[0]!.split(';')[0]!;
    const page = await p.fetch(`/calls/${call.callId}`, { cookie: other });
    assert.is(page.status, 404);
    assert.not.match(await (await p.fetch('/calls', { cookie: other })).text(), new RegExp(call.callId));
  });

  test('assets carry a content hash and a year of caching; sign-out ends the session', async ({ p }) => {
    const html = await (await p.fetch('/login')).text();
    const css = /href="(\/portal\/assets\/portal\.[0-9a-f]{12}\.css)"/.exec(html)?.[1];
    assert.ok(css);
    const res = await p.fetch(css!);
    assert.is(res.status, 200);
    assert.is(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(res.headers.get('content-type') ?? '', /text\/css/);
    assert.is((await p.fetch(css!, { headers: { 'if-none-match': res.headers.get('etag')! } })).status, 304);
    const cookie = await p.signIn();
    const out = await p.fetch('/logout', { method: 'POST', cookie });
    assert.is(out.status, 303);
    assert.is(out.headers.get('location'), '/login');
    assert.is((await p.fetch('/calls', { cookie })).status, 303);
  });

  test.run();
}
