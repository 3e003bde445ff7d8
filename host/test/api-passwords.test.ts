import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { passwordProblem } from '../src/accounts/password-policy.js';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

const policy = suite('accounts: password policy');

policy('weak passwords are refused with the reason, strong ones pass', async () => {
  for (const weak of ['aaaaaaaaaaaa', 'password1234', 'qwertyuiop123', 'Password123!', 'admin-admin-admin']) {
    const problem = await passwordProblem(weak, ['admin']);
    assert.ok(problem?.startsWith('too easy to guess: '), `${weak}: ${problem}`);
  }
  assert.is(await passwordProblem('short'), 'expected at least 12 characters');
  for (const strong of ['correct horse battery staple', 'kT9#vq2LmX!p', 'lantern-otter-quietly-7']) {
    assert.is(await passwordProblem(strong, ['admin']), undefined, strong);
  }
});

policy('the account name itself does not make a password', async () => {
  assert.ok(await passwordProblem('globexcorporation1', ['globexcorporation']));
});

policy.run();

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string }>(`api: password rules and change (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.admin = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('a new portal account with a common password is refused, naming the field', async (ctx) => {
    for (const password of ['aaaaaaaaaaaa', 'password1234']) {
      const res = await ctx.t.call('POST', '/api/admin-users', {
        token: ctx.admin,
        body: { username: 'weak', password, role: 'admin' },
      });
      assert.is(res.status, 400, password);
      assert.is(res.body.error.field, 'password');
      assert.match(res.body.error.message, /^password: too easy to guess: /);
    }
  });

  test('password change: needs the current password, refuses weak ones, ends the other sessions', async (ctx) => {
    const created = await ctx.t.call('POST', '/api/admin-users', {
      token: ctx.admin,
      body: { username: 'carol', password: 'lantern-otter-quietly-7', role: 'admin' },
    });
    assert.is(created.status, 201);
    const signIn = async (password: string) =>
      ctx.t.call('POST', '/api/auth/login', { body: { username: 'carol', password, bearer: true } });
    const first = (await signIn('lantern-otter-quietly-7')).body.token as string;
    const second = (await signIn('lantern-otter-quietly-7')).body.token as string;

    const wrong = await ctx.t.call('POST', '/api/auth/password', {
      token: first,
      body: { currentPassword: 'not-my-password', newPassword: 'meadow-copper-violin-42' },
    });
    assert.is(wrong.status, 403);
    assert.is(wrong.body.error.field, 'currentPassword');

    const weak = await ctx.t.call('POST', '/api/auth/password', {
      token: first,
      body: { currentPassword: 'lantern-otter-quietly-7', newPassword: 'password1234' },
    });
    assert.is(weak.status, 400);
    assert.is(weak.body.error.field, 'newPassword');

    const changed = await ctx.t.call('POST', '/api/auth/password', {
      token: first,
      body: { currentPassword: 'lantern-otter-quietly-7', newPassword: 'meadow-copper-violin-42' },
    });
    assert.is(changed.status, 204);
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: first })).status, 200, 'this session stays');
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: second })).status, 401, 'others end');
    assert.is((await signIn('lantern-otter-quietly-7')).status, 401);
    assert.is((await signIn('meadow-copper-violin-42')).status, 200);
  });

  test.run();
}

const cli = suite('cli: deskrec-host admin reset-password');

cli(
  'a lost admin password is replaced by a printed random one; sessions end; the audit log says so',
  async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFile } = await import('node:child_process');
    const { createHost } = await import('../src/app/create-host.js');
    const { loadConfig } = await import('../src/config/load-config.js');
    const { quiet } = await import('./api-harness.js');
    const dir = await mkdtemp(join(tmpdir(), 'deskrec-reset-'));
    try {
      const file = join(dir, 'deskrec.yaml');
      await writeFile(
        file,
        `dataDir: ${dir}\nweb: { host: 127.0.0.1, port: 0 }\ncontroller: { tcpPort: 0, tlsPort: 0 }\nlog: { level: 1 }\n`,
      );
      const host = createHost(loadConfig({ file, env: {} }), { stdout: quiet });
      const started = await host.start();
      const old = started.firstStart!.password;
      await host.stop();

      const run = (args: string[]) =>
        new Promise<{ code: number; out: string; err: string }>((resolve) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', new URL('../src/bin/deskrec-host.ts', import.meta.url).pathname, ...args],
            { env: { ...process.env, DESKREC_CONFIG: '' } },
            (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
          );
        });
      const missing = await run(['admin', 'reset-password', '--username', 'nobody', '--config', file]);
      assert.is(missing.code, 1);
      assert.match(missing.err, 'no portal account "nobody" in tenant "default"; pass --username');
      const reset = await run(['admin', 'reset-password', '--username', 'admin', '--config', file]);
      assert.is(reset.code, 0, reset.err);
      const password = /\(shown once\): (\S+)/.exec(reset.out)?.[1];
      assert.ok(password && password !== old && password.length >= 24);

      const again = createHost(loadConfig({ file, env: {} }), { stdout: quiet });
      const url = (await again.start()).url;
      try {
        const login = (p: string) =>
          fetch(`${url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'admin', password: p }),
          }).then((r) => r.status);
        assert.is(await login(old), 401);
        assert.is(await login(password), 200);
        const tenant = await again.services().repos.tenants.bySlug('default');
        const audit = await again.services().repos.audit.list(tenant!.id, 10);
        assert.ok(audit.some((entry: { action: string }) => entry.action === 'auth.password-reset'));
      } finally {
        await again.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

cli.run();

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost }>(`api: sign-in protection (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
  });
  test.after(async (ctx) => ctx.t.stop());

  test('failed sign-ins lock the account, even for the right password, and are logged and audited', async (ctx) => {
    const login = (password: string, username = 'admin') =>
      ctx.t.call('POST', '/api/auth/login', { body: { username, password } });
    for (let i = 1; i <= 5; i++) assert.is((await login(`wrong-guess-${i}`)).status, 401, `guess ${i}`);
    const locked = await login(ctx.t.credentials.password);
    assert.is(locked.status, 429, 'the right password does not get through the lock');
    assert.is(locked.body.error.code, 'locked');
    assert.match(
      locked.body.error.message,
      /^Too many failed sign-ins for this account; try again in \d+ s$/,
    );
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    assert.is((await login('anything', 'someone-else')).status, 401, 'other accounts are not locked');

    const admin = await ctx.t.host.services().repos.tenants.bySlug('default');
    const audit = await ctx.t.host.services().repos.audit.list(admin!.id, 50);
    const failed = audit.filter((e: { action: string }) => e.action === 'auth.login-failed');
    assert.is(failed.length, 6, 'five guesses on admin and one on an unknown name');
    const log = ctx.t.host.services().logging.recent.query('warn', 100);
    assert.ok(log.some((l: { msg: string }) => l.msg === 'sign-in failed'));
    assert.ok(log.some((l: { msg: string }) => l.msg === 'sign-in refused: account locked'));
  });

  test.run();
}
