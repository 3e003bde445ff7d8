import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { systemClock } from '@deskrec/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPortal } from '../src/portal/index.js';
import { databaseKinds, tempDir } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';
import { seedCall } from './support/portal-media.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

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

  test('workstations: two machines named "vm" are told apart by id; the detail page shows what the agent reported', async ({
    p,
    admin,
  }) => {
    // Two real agent connections (core's hello over the controller's TCP listener), both called "vm".
    const identities = [newIdentity(p.t.credentials.tenantToken), newIdentity(p.t.credentials.tenantToken)];
    const agents = await Promise.all(identities.map(() => TestAgent.connect(p.controllerUrl)));
    for (const [i, agent] of agents.entries()) {
      agent.send({
        ...hello(identities[i]!, null),
        computerName: 'vm',
        domain: undefined,
        agentVersion: `0.3.${i}`,
        monitors: [
          { id: '0', name: 'DP-1', width: 1920, height: 1080, x: 0, y: 0, primary: true },
          { id: '1', width: 1280, height: 1024, x: 1920, y: 0, primary: false },
        ],
      });
      await agent.next('welcome');
    }
    const [first, second] = identities.map((id) => id.workstationId) as [string, string];
    const list = await (await p.fetch('/admin/workstations?search=vm', { cookie: admin })).text();
    for (const id of [first, second]) {
      assert.match(list, new RegExp(`<a href="/admin/workstations/${id}"><strong>vm</strong></a>`));
      assert.match(
        list,
        new RegExp(`<span class="short-id" title="Workstation id ${id}">${id.slice(0, 8)}</span>`),
      );
    }
    assert.is.not(first.slice(0, 8), second.slice(0, 8));
    const { db } = p.t.host.services().database;
    const failedAt = new Date(Date.now() - 60_000);
    await db
      .insertInto('recordings')
      .values({
        id: randomUUID(),
        tenant_id: p.tenantId,
        workstation_id: first,
        user_id: null,
        capture_id: randomUUID(),
        state: 'uploading',
        started_at: new Date(failedAt.getTime() - 5000),
        ended_at: failedAt,
        end_reason: 'capture failed: x11grab: cannot open display :0',
        upload_token_hash: null,
      })
      .execute();
    const res = await p.fetch(`/admin/workstations/${first}`, { cookie: admin });
    assert.is(res.status, 200);
    const html = await res.text();
    const field = (name: string) =>
      new RegExp(`data-field="${name}"[^>]*>([\\s\\S]*?)</(dd|span|ul|p)>`).exec(html)?.[1];
    assert.is(field('id'), first);
    const secretDigest = createHash('sha256').update(identities[0]!.workstationSecret).digest('hex');
    assert.is(field('fingerprint'), secretDigest.slice(0, 16).toUpperCase().match(/.{4}/g)!.join(' '));
    assert.is(field('agent-version'), '0.3.0');
    assert.match(field('capture-backend') ?? '', /Not reported by the agent/);
    assert.match(
      html,
      /<span class="mono">(::ffff:)?127\.0\.0\.1<\/span>\s*<span class="muted">last connection/,
    );
    assert.match(
      field('monitors') ?? '',
      /<li>0 DP-1: 1920×1080 at 0,0 \(primary\)<\/li><li>1: 1280×1024 at 1920,0<\/li>/,
    );
    assert.match(field('last-error') ?? '', /capture failed: x11grab: cannot open display :0/);
    assert.match(field('last-error') ?? '', new RegExp(`datetime="${failedAt.toISOString()}"`));
    assert.match(html, /No user signed in/);
    assert.match(html, /<dt>Last seen<\/dt>/);
    const other = await (await p.fetch(`/admin/workstations/${second}`, { cookie: admin })).text();
    assert.match(other, /No capture has failed on this workstation\./);
    assert.is((await p.fetch('/admin/workstations/no-such-id', { cookie: admin })).status, 404);
    await Promise.all(agents.map((a) => a.close()));
    // The list test below counts pending workstations.
    await p.t.host.services().repos.workstations.delete(p.tenantId, [first, second]);
  });

  test('settings: controller ports and the TLS fingerprint agents pin, as the running controller has them', async ({
    p,
    admin,
  }) => {
    const html = await (await p.fetch('/admin/settings', { cookie: admin })).text();
    const { listening } = p.controller.status();
    assert.match(html, new RegExp(`<span class="mono" data-port="tcp">${listening.tcp!.port}</span>`));
    assert.match(html, new RegExp(`<span class="mono" data-port="tls">${listening.tls!.port}</span>`));
    // The fingerprint on the page is the one the TLS listener really presents.
    const presented = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        { host: '127.0.0.1', port: listening.tls!.port, rejectUnauthorized: false },
        () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    assert.match(presented, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(html, new RegExp(`<span class="mono" id="tls-fingerprint">${presented}</span>`));
    assert.match(html, /data-copy="tls-fingerprint"/);
  });

  test('settings: given the host configuration, the page shows trace-log settings and client certificates', async ({
    p,
    admin,
  }) => {
    const services = p.t.host.services();
    const config = services.config;
    const portal = createPortal({
      // GET /admin/settings reads repositories only; a form post would reach the real API over HTTP.
      api: { request: (path: string, init?: RequestInit) => fetch(new URL(path, p.url), init) } as never,
      repos: services.repos,
      storageKinds: services.storageKinds,
      hooks: { status: () => ({ ok: true, ...p.controller.status() }) },
      recentLog: services.logging.recent,
      clock: systemClock,
      logger: services.logging.logger,
      uploadPath: '/uploads',
      hostConfig: {
        source: '/etc/deskrec/host.yaml',
        controller: { ...config.controller, tlsCaFile: '/etc/deskrec/agents-ca.pem' },
        log: {
          ...config.log,
          level: 2,
          trace: { ...config.log.trace, enabled: true, file: '/var/log/deskrec/host.log', level: 4, keep: 7 },
        },
      },
    });
    const res = await portal.request('/admin/settings', { headers: { cookie: admin } });
    assert.is(res.status, 200);
    const html = await res.text();
    assert.match(html, /Written to <span class="mono">\/var\/log\/deskrec\/host\.log<\/span>/);
    assert.match(html, /<dt>Trace depth<\/dt><dd>4: debug<\/dd>/);
    assert.match(html, /A new file at 10m; the last 7 files are kept/);
    assert.match(html, /<dt>Console depth<\/dt><dd>2: warnings and errors<\/dd>/);
    assert.match(html, /Required, signed by <span class="mono">\/etc\/deskrec\/agents-ca\.pem<\/span>/);
    assert.match(html, /the host configuration \(\/etc\/deskrec\/host\.yaml\)/);
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

  test('call page: the timeline marks the real gaps; cuts shorter than a second between parts are closed', async (ctx) => {
    const { p, admin } = ctx;
    const file = join(ctx.files.path, 'gaps.mp4');
    await writeFile(file, Buffer.alloc(1000, 1));
    const call = await seedCall(
      p,
      {
        audio: null,
        segments: [
          { file, offsetMs: 0, durationMs: 4800 },
          { file, offsetMs: 5000, durationMs: 4000 },
          { file, offsetMs: 12000, durationMs: 2000 },
        ],
      },
      { callSeconds: 14 },
    );
    const html = await (await p.fetch(`/calls/${call.callId}`, { cookie: admin })).text();
    const lanes = [
      ...html.matchAll(/class="lane( missing| pending)?" style="left:([\d.]+)%;width:([\d.]+)%"/g),
    ].map((m) => [m[1] ?? '', Number(m[2]), Number(m[3])]);
    const pct = (s: number) => Number(((s / 14) * 100).toFixed(3));
    assert.equal(lanes, [
      ['', 0, pct(9)],
      ['', pct(12), pct(2)],
      [' missing', pct(9), pct(3)],
    ]);
    assert.match(html, /<p class="gap-list" data-gap-list[^>]*>Not recorded: 0:09–0:12<\/p>/);
    // Until the script has the first frame, the placeholder says it is loading, not that nothing was recorded.
    assert.match(html, /<strong data-gap-title[^>]*>Loading the screen recording…<\/strong>/);
  });

  test('call page: each part shows where it is, and a refused store shows as a failure with its reason', async (ctx) => {
    const { p, admin } = ctx;
    const file = join(ctx.files.path, 'states.mp4');
    await writeFile(file, Buffer.alloc(1000, 1));
    const call = await seedCall(
      p,
      {
        audio: null,
        segments: [0, 1, 2, 3, 4].map((i) => ({
          file,
          offsetMs: i * 5000,
          durationMs: 5000,
          stored: i === 0,
        })),
      },
      { callSeconds: 25 },
    );
    const { db } = p.t.host.services().database;
    const set = (
      idx: number,
      values: { state: 'on-agent' | 'uploading' | 'spooled'; error: string | null },
    ) => db.updateTable('segments').set(values).where('id', '=', call.segmentIds[idx]!).execute();
    await set(1, { state: 'uploading', error: null });
    await set(2, { state: 'spooled', error: null });
    await set(3, {
      state: 'spooled',
      error: "EACCES: permission denied, open '/srv/recordings/2026/part-3.mp4'",
    });
    await set(4, { state: 'on-agent', error: null });
    const html = await (await p.fetch(`/calls/${call.callId}`, { cookie: admin })).text();
    const states = [...html.matchAll(/<tr data-segment="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
      id: m[1],
      state:
        /<td data-col="state"><span class="badge (\w+)"[^>]*>([^<]+)<\/span>(?:<span class="reason">([^<]+)<\/span>)?/
          .exec(m[2]!)
          ?.slice(1),
    }));
    assert.equal(
      states.map((s) => s.id),
      call.segmentIds,
    );
    assert.equal(
      states.map((s) => s.state),
      [
        ['ok', 'Stored', undefined],
        ['warn', 'Uploading', undefined],
        ['info', 'On host', undefined],
        [
          'bad',
          'Storing failed',
          'EACCES: permission denied, open &#39;/srv/recordings/2026/part-3.mp4&#39;',
        ],
        ['info', 'On agent', undefined],
      ],
    );
    // The notice says storing failed (files safe on the host), not "not uploaded yet".
    assert.match(html, /<strong>Storing the screen recording failed<\/strong>/);
    assert.match(html, /2 parts are kept on the host/);
    assert.not.match(html, /<strong>Screen recording file is not uploaded yet<\/strong>/);
    const progress = (await (
      await p.fetch(`/calls/${call.callId}/progress.json`, { cookie: admin })
    ).json()) as {
      text: string;
    };
    assert.is(
      progress.text,
      '1 of 5 parts stored (1000 B of 4.9 KB); 2 on the host waiting for the storage target',
    );
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
    // The script is esbuild's bundle of src/portal/client (scripts/build-portal-assets.mjs), byte for byte.
    const script = /src="(\/portal\/assets\/portal\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    assert.ok(script, 'the page loads the portal script');
    const served = await p.fetch(script!);
    assert.match(served.headers.get('content-type') ?? '', /text\/javascript/);
    const built = await readFile(new URL('../dist/portal-assets/portal.js', import.meta.url), 'utf8');
    assert.is(await served.text(), built);
    assert.match(built, /data-select-table/);
    const cookie = await p.signIn();
    const out = await p.fetch('/logout', { method: 'POST', cookie });
    assert.is(out.status, 303);
    assert.is(out.headers.get('location'), '/login');
    assert.is((await p.fetch('/calls', { cookie })).status, 303);
  });

  test.run();
}
