import { Secret, TOTP } from 'otpauth';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

/** The codes an authenticator app would show for this secret, now or `steps` periods from now. */
function codeOf(secret: string, steps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + steps * 30_000 });
}

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost }>(`api: TOTP second factor for admins (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
  });
  test.after(async (ctx) => ctx.t.stop());

  async function admin(t: TestHost, username: string) {
    const { repos } = t.host.services();
    const tenant = await repos.tenants.bySlug('default');
    const password = `${username}-Secret-Pass-42`;
    await repos.adminUsers.create(tenant!.id, { username, password, role: 'admin' });
    return { password, token: await t.login(username, password) };
  }

  async function enrol(t: TestHost, token: string, password: string) {
    const start = await t.call('POST', '/api/auth/second-factor/enrol', { token, body: { password } });
    assert.is(start.status, 200, JSON.stringify(start.body));
    const used = codeOf(start.body.secret);
    const confirm = await t.call('POST', '/api/auth/second-factor/confirm', { token, body: { code: used } });
    assert.is(confirm.status, 200, JSON.stringify(confirm.body));
    return {
      secret: start.body.secret as string,
      used,
      recoveryCodes: confirm.body.recoveryCodes as string[],
    };
  }

  const passwordStep = (t: TestHost, username: string, password: string) =>
    t.call('POST', '/api/auth/login', { body: { username, password, bearer: true } });

  test('enrolment: a secret and QR code once, confirmed by a real code, then recovery codes', async (ctx) => {
    const { token, password } = await admin(ctx.t, 'alice');
    const wrongPassword = await ctx.t.call('POST', '/api/auth/second-factor/enrol', {
      token,
      body: { password: 'not-it' },
    });
    assert.is(wrongPassword.status, 403);
    assert.is(wrongPassword.body.error.field, 'password');
    const start = await ctx.t.call('POST', '/api/auth/second-factor/enrol', { token, body: { password } });
    assert.is(start.status, 200);
    assert.match(start.body.secret, /^[A-Z2-7]{32}$/);
    assert.match(start.body.uri, /^otpauth:\/\/totp\/deskrec:alice\?/);
    assert.ok(start.body.uri.includes(`secret=${start.body.secret}`));
    const svg = Buffer.from(start.body.qrCode.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64');
    assert.match(svg.toString('utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
    const status = await ctx.t.call('GET', '/api/auth/second-factor', { token });
    assert.equal(status.body, { enabled: false, enrolling: true, recoveryCodesLeft: 0 });

    const wrong = await ctx.t.call('POST', '/api/auth/second-factor/confirm', {
      token,
      body: { code: codeOf(start.body.secret, 10) },
    });
    assert.is(wrong.status, 400);
    assert.is(wrong.body.error.field, 'code');
    const shape = await ctx.t.call('POST', '/api/auth/second-factor/confirm', { token, body: { code: '1' } });
    assert.is(shape.status, 400);
    assert.match(shape.body.error.message, /^code: /);

    const ok = await ctx.t.call('POST', '/api/auth/second-factor/confirm', {
      token,
      body: { code: codeOf(start.body.secret) },
    });
    assert.is(ok.status, 200);
    assert.is(ok.body.recoveryCodes.length, 10);
    for (const code of ok.body.recoveryCodes) assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const on = await ctx.t.call('GET', '/api/auth/second-factor', { token });
    assert.equal(on.body, { enabled: true, enrolling: false, recoveryCodesLeft: 10 });
    const { repos } = ctx.t.host.services();
    const tenant = await repos.tenants.bySlug('default');
    const stored = await ctx.t.host
      .services()
      .database.db.selectFrom('admin_recovery_codes')
      .select('code_hash')
      .where('tenant_id', '=', tenant!.id)
      .execute();
    assert.ok(stored.length >= 10);
    for (const row of stored) assert.not.ok(ok.body.recoveryCodes.includes(row.code_hash), 'hashed');
    const twice = await ctx.t.call('POST', '/api/auth/second-factor/enrol', { token, body: { password } });
    assert.is(twice.status, 409);
  });

  test('sign-in asks for the code after the password; each code works once', async (ctx) => {
    const { token, password } = await admin(ctx.t, 'bob');
    const { secret, used } = await enrol(ctx.t, token, password);
    const first = await passwordStep(ctx.t, 'bob', password);
    assert.is(first.status, 200);
    assert.is(first.body.user, undefined, 'no session yet');
    assert.is(first.headers.get('set-cookie'), null);
    const { challenge } = first.body.secondFactor;
    assert.match(challenge, /^[0-9a-f]{64}$/);
    const asBearer = await ctx.t.call('GET', '/api/auth/me', { token: challenge });
    assert.is(asBearer.status, 401, 'the challenge is not a session');

    const replay = await ctx.t.call('POST', '/api/auth/login/second-factor', {
      body: { challenge, code: used },
    });
    assert.is(replay.status, 401, 'the code used to confirm the enrolment is spent');
    assert.is(replay.body.error.code, 'bad-code');
    const next = codeOf(secret, 1);
    const done = await ctx.t.call('POST', '/api/auth/login/second-factor', {
      body: { challenge, code: next, bearer: true },
    });
    assert.is(done.status, 200, JSON.stringify(done.body));
    assert.is(done.body.user.username, 'bob');
    assert.match(done.headers.get('set-cookie') ?? '', /deskrec_session=[0-9a-f]{64}; .*HttpOnly/);
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: done.body.token })).status, 200);
    const reused = await ctx.t.call('POST', '/api/auth/login/second-factor', {
      body: { challenge, code: next },
    });
    assert.is(reused.status, 401, 'the challenge is spent');
    assert.is(reused.body.error.code, 'challenge-expired');
  });

  test('a recovery code signs in once, and switches the factor off', async (ctx) => {
    const { token, password } = await admin(ctx.t, 'carol');
    const { recoveryCodes } = await enrol(ctx.t, token, password);
    const withRecovery = async (code: string) => {
      const step = await passwordStep(ctx.t, 'carol', password);
      return ctx.t.call('POST', '/api/auth/login/second-factor', {
        body: { challenge: step.body.secondFactor.challenge, code, bearer: true },
      });
    };
    const typed = recoveryCodes[0]!.toLowerCase().replaceAll('-', ' ');
    const ok = await withRecovery(typed);
    assert.is(ok.status, 200, 'case and separators do not matter');
    assert.is((await withRecovery(recoveryCodes[0]!)).status, 401, 'spent');
    const left = await ctx.t.call('GET', '/api/auth/second-factor', { token: ok.body.token });
    assert.is(left.body.recoveryCodesLeft, 9);

    const badOff = await ctx.t.call('POST', '/api/auth/second-factor/disable', {
      token: ok.body.token,
      body: { code: '000000' },
    });
    assert.is(badOff.status, 403);
    const off = await ctx.t.call('POST', '/api/auth/second-factor/disable', {
      token: ok.body.token,
      body: { code: recoveryCodes[1] },
    });
    assert.is(off.status, 204);
    const plain = await passwordStep(ctx.t, 'carol', password);
    assert.is(plain.body.user.username, 'carol', 'the password alone signs in again');
  });

  test('wrong codes count toward the sign-in lock and are audited and logged', async (ctx) => {
    const { token, password } = await admin(ctx.t, 'dave');
    const { secret } = await enrol(ctx.t, token, password);
    const step = await passwordStep(ctx.t, 'dave', password);
    const { challenge } = step.body.secondFactor;
    const right = codeOf(secret, 1);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 1; i <= 5; i++) {
      const res = await ctx.t.call('POST', '/api/auth/login/second-factor', {
        body: { challenge, code: wrong },
      });
      assert.is(res.status, 401, `wrong code ${i}`);
    }
    const locked = await ctx.t.call('POST', '/api/auth/login/second-factor', {
      body: { challenge, code: right },
    });
    assert.is(locked.status, 429, 'the right code does not get through the lock');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    const password2 = await passwordStep(ctx.t, 'dave', password);
    assert.is(password2.status, 429, 'nor does the password: it is one lock');

    const { repos, logging } = ctx.t.host.services();
    const tenant = await repos.tenants.bySlug('default');
    const audit = await repos.audit.list(tenant!.id, 100);
    const failed = audit.filter((e: { action: string }) => e.action === 'auth.second-factor-failed');
    assert.ok(failed.length >= 5);
    const log = logging.recent.query('warn', 200);
    assert.ok(log.some((l: { msg: string }) => l.msg === 'second factor failed: wrong or used code'));
    assert.ok(log.some((l: { msg: string }) => l.msg === 'second factor refused: account locked'));
  });

  test.run();
}
