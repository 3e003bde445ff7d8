import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OidcClient, OidcRefusal } from '../src/accounts/oidc/oidc-client.js';
import { OidcConfigSchema } from '../src/accounts/oidc/oidc-config.js';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';
import {
  CookieJar,
  passProvider,
  startTestProvider,
  TEST_CLIENT,
  type TestAccount,
} from './support/oidc-provider.js';

const CALLBACK = '/api/auth/oidc/callback';

interface Ctx {
  t: TestHost;
  provider: Awaited<ReturnType<typeof startTestProvider>>;
  accounts: Map<string, TestAccount>;
  tenantId: string;
}

/** A host signing in through a fresh provider; `options` is the rest of the host's `oidc` block (YAML). */
async function setUp(ctx: Ctx, kind: Awaited<ReturnType<typeof databaseKinds>>[number], options: string) {
  ctx.accounts = new Map();
  ctx.provider = await startTestProvider(ctx.accounts);
  ctx.t = await startTestHost(
    kind,
    [
      'oidc:',
      '  name: Test IdP',
      `  issuer: ${ctx.provider.issuer}`,
      `  clientId: ${TEST_CLIENT.id}`,
      `  clientSecret: ${TEST_CLIENT.secret}`,
      '  roles: { admin: [deskrec-admins], supervisor: [deskrec-supervisors] }',
      ...options.split('\n').map((line) => `  ${line}`),
    ].join('\n'),
  );
  ctx.provider.register(`${ctx.t.url}${CALLBACK}`);
  ctx.tenantId = (await ctx.t.host.services().repos.tenants.bySlug('default'))!.id;
}

/**
 * The whole browser round trip: deskrec's start, the provider's forms, deskrec's callback (after `tamper`
 * may change the callback URL). Returns the callback's answer and the session cookie it set, if any.
 */
async function signIn(ctx: Ctx, accountId: string, tamper?: (callback: URL) => void) {
  const jar = new CookieJar();
  const start = await fetch(`${ctx.t.url}/api/auth/oidc/start?next=/admin/users`, { redirect: 'manual' });
  assert.is(start.status, 302);
  jar.take(start);
  assert.ok(jar.get('deskrec_oidc'), 'the start sets the transaction cookie');
  const authorize = new URL(start.headers.get('location')!);
  assert.is(authorize.origin, ctx.provider.issuer);
  assert.is(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));
  const callback = await passProvider(authorize.href, accountId, `${ctx.t.url}${CALLBACK}`);
  tamper?.(callback);
  const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(res);
  return { res, page: await res.text(), session: jar.get('deskrec_session') };
}

async function me(ctx: Ctx, session: string) {
  return ctx.t.call('GET', '/api/auth/me', { headers: { cookie: `deskrec_session=${session}` } });
}

async function lastAudit(ctx: Ctx) {
  return (await ctx.t.host.services().repos.audit.list(ctx.tenantId, 1))[0]!;
}

function refusedWith(result: Awaited<ReturnType<typeof signIn>>, reason: string) {
  assert.is(result.res.status, 303);
  assert.is(result.res.headers.get('location'), `/login?sso=${reason}`);
  assert.is(result.session, undefined, 'no session');
}

for (const kind of await databaseKinds()) {
  const matching = suite<Ctx>(`api: OpenID Connect sign-in, existing users only (${kind})`);
  matching.before(async (ctx) => setUp(ctx, kind, 'createUsers: false'));
  matching.after(async (ctx) => {
    await ctx.t.stop();
    await ctx.provider.stop();
  });

  matching('the login page offers the provider next to the password form', async (ctx) => {
    const page = await (await fetch(`${ctx.t.url}/login`)).text();
    assert.match(page, /href="\/api\/auth\/oidc\/start\?next=%2Fcalls"/);
    assert.match(page, /Sign in with Test IdP/);
    assert.match(page, /name="password"/);
  });

  matching(
    'an existing user is found by verified email, linked, and gets a session with the mapped role',
    async (ctx) => {
      const { repos } = ctx.t.host.services();
      const user = await repos.adminUsers.create(ctx.tenantId, {
        username: 'Alice@Example.com',
        password: 'a long password for alice',
        role: 'supervisor',
      });
      ctx.accounts.set('alice-sub', {
        email: 'alice@example.com',
        email_verified: true,
        groups: ['deskrec-admins'],
      });
      const result = await signIn(ctx, 'alice-sub');
      assert.is(result.res.status, 200);
      assert.match(result.page, /url=\/admin\/users/, 'the page continues to "next"');
      assert.ok(result.session);
      const who = await me(ctx, result.session!);
      assert.is(who.status, 200);
      assert.equal([who.body.id, who.body.role], [user.id, 'admin']);
      const audit = await lastAudit(ctx);
      assert.is(audit.action, 'auth.login');
      assert.is(audit.target_id, user.id);
      assert.equal((audit.detail as Record<string, unknown>).method, 'oidc');

      // Linked by subject now: a changed (even unverified) email still finds the user; the role follows the claim.
      ctx.accounts.set('alice-sub', {
        email: 'alice@new.example',
        email_verified: false,
        groups: ['deskrec-supervisors'],
      });
      const again = await signIn(ctx, 'alice-sub');
      assert.ok(again.session);
      const who2 = await me(ctx, again.session!);
      assert.equal([who2.body.id, who2.body.role], [user.id, 'supervisor']);
    },
  );

  matching('an unverified email does not match an existing user', async (ctx) => {
    const { repos } = ctx.t.host.services();
    await repos.adminUsers.create(ctx.tenantId, {
      username: 'bob@example.com',
      password: 'a long password for bob',
      role: 'admin',
    });
    ctx.accounts.set('bob-impostor', {
      email: 'bob@example.com',
      email_verified: false,
      groups: ['deskrec-admins'],
    });
    refusedWith(await signIn(ctx, 'bob-impostor'), 'unknown-user');
  });

  matching(
    'an unknown user is refused when users are not created, audited and shown on the login page',
    async (ctx) => {
      ctx.accounts.set('carol-sub', {
        email: 'carol@example.com',
        email_verified: true,
        groups: ['deskrec-admins'],
      });
      refusedWith(await signIn(ctx, 'carol-sub'), 'unknown-user');
      const audit = await lastAudit(ctx);
      assert.is(audit.action, 'auth.login-failed');
      assert.equal(audit.detail, {
        method: 'oidc',
        reason: 'unknown-user',
        subject: 'carol-sub',
        email: 'carol@example.com',
      });
      assert.is(
        await ctx.t.host.services().repos.adminUsers.byUsername(ctx.tenantId, 'carol@example.com'),
        undefined,
      );
      const login = await fetch(`${ctx.t.url}/login?sso=unknown-user`);
      assert.is(login.status, 401);
      assert.match(await login.text(), /No deskrec user belongs to your account/);
    },
  );

  matching('a tampered state is refused', async (ctx) => {
    ctx.accounts.set('dave-sub', {
      email: 'dave@example.com',
      email_verified: true,
      groups: ['deskrec-admins'],
    });
    await ctx.t.host.services().repos.adminUsers.create(ctx.tenantId, {
      username: 'dave@example.com',
      password: 'a long password for dave',
      role: 'admin',
    });
    const result = await signIn(ctx, 'dave-sub', (url) =>
      url.searchParams.set('state', 'forged-state-value-0123456789'),
    );
    refusedWith(result, 'bad-response');
    const audit = await lastAudit(ctx);
    assert.is(audit.action, 'auth.login-failed');
    assert.is((audit.detail as Record<string, unknown>).reason, 'bad-response');
    assert.match(String((audit.detail as Record<string, unknown>).error), /state/);
  });

  matching('a callback without the transaction cookie (another browser) is refused', async (ctx) => {
    const res = await fetch(`${ctx.t.url}${CALLBACK}?code=abc&state=def`, { redirect: 'manual' });
    assert.is(res.status, 303);
    assert.is(res.headers.get('location'), '/login?sso=expired');
  });

  matching('claims that give no role are refused, and so is a disabled user', async (ctx) => {
    const { repos } = ctx.t.host.services();
    const erin = await repos.adminUsers.create(ctx.tenantId, {
      username: 'erin@example.com',
      password: 'a long password for erin',
      role: 'admin',
    });
    ctx.accounts.set('erin-sub', { email: 'erin@example.com', email_verified: true, groups: ['sales'] });
    refusedWith(await signIn(ctx, 'erin-sub'), 'no-role');
    ctx.accounts.set('erin-sub', {
      email: 'erin@example.com',
      email_verified: true,
      groups: ['deskrec-admins'],
    });
    await repos.adminUsers.setDisabled(ctx.tenantId, erin.id, true);
    refusedWith(await signIn(ctx, 'erin-sub'), 'disabled');
    assert.is((await lastAudit(ctx)).target_id, erin.id);
  });

  matching('"next" stays on this site', async (ctx) => {
    for (const next of ['//evil.example/x', '/\t/evil.example', '/\\evil.example', 'https://evil.example']) {
      const jar = new CookieJar();
      const start = await fetch(`${ctx.t.url}/api/auth/oidc/start?next=${encodeURIComponent(next)}`, {
        redirect: 'manual',
      });
      jar.take(start);
      const transaction = JSON.parse(Buffer.from(jar.get('deskrec_oidc')!, 'base64url').toString('utf8'));
      assert.is(transaction.next, '/calls', next);
    }
  });

  matching('password sign-in stays on by default', async (ctx) => {
    assert.ok(await ctx.t.login());
  });

  matching.run();

  const creating = suite<Ctx>(`api: OpenID Connect sign-in, users created on first sign-in (${kind})`);
  creating.before(async (ctx) => setUp(ctx, kind, 'createUsers: true\npasswordSignIn: false'));
  creating.after(async (ctx) => {
    await ctx.t.stop();
    await ctx.provider.stop();
  });

  creating('a new user is created with the role of the claim, then found again by subject', async (ctx) => {
    ctx.accounts.set('frank-sub', {
      email: 'frank@example.com',
      email_verified: true,
      groups: ['other', 'deskrec-supervisors'],
    });
    const first = await signIn(ctx, 'frank-sub');
    assert.ok(first.session);
    const who = await me(ctx, first.session!);
    assert.equal([who.body.username, who.body.role], ['frank@example.com', 'supervisor']);
    const created = (await ctx.t.host.services().repos.audit.list(ctx.tenantId, 2)).map((a) => a.action);
    assert.equal(created, ['auth.login', 'admin-user.create']);
    // A supervisor's session cannot use admin routes.
    const users = await ctx.t.call('GET', '/api/admin-users', {
      headers: { cookie: `deskrec_session=${first.session}` },
    });
    assert.is(users.status, 403);

    ctx.accounts.set('frank-sub', {
      email: 'frank@example.com',
      email_verified: true,
      groups: ['deskrec-admins'],
    });
    const second = await signIn(ctx, 'frank-sub');
    const who2 = await me(ctx, second.session!);
    assert.equal([who2.body.id, who2.body.role], [who.body.id, 'admin']);
  });

  creating('a new user whose name is taken by another is refused, not merged', async (ctx) => {
    await ctx.t.host.services().repos.adminUsers.create(ctx.tenantId, {
      username: 'grace',
      password: 'a long password for grace',
      role: 'admin',
    });
    // No verified email, so the name is all there is: it must not take over the existing "grace".
    ctx.accounts.set('grace-other', { preferred_username: 'grace', groups: ['deskrec-admins'] });
    refusedWith(await signIn(ctx, 'grace-other'), 'username-taken');
  });

  creating(
    'password sign-in can be turned off; the login page then offers the provider only',
    async (ctx) => {
      const res = await ctx.t.call('POST', '/api/auth/login', {
        body: { username: 'admin', password: ctx.t.credentials.password },
      });
      assert.is(res.status, 403);
      assert.is(res.body.error.code, 'password-sign-in-off');
      const page = await (await fetch(`${ctx.t.url}/login`)).text();
      assert.match(page, /Sign in with Test IdP/);
      assert.not.match(page, /name="password"/);
    },
  );

  creating.run();
}

const issuers = suite('OIDC client: the provider must be the configured issuer');
issuers('a provider that names another issuer is refused at discovery', async () => {
  const provider = await startTestProvider(new Map());
  try {
    provider.register('http://127.0.0.1:1/api/auth/oidc/callback', 'https://elsewhere.example');
    const config = OidcConfigSchema.parse({
      issuer: provider.issuer,
      clientId: TEST_CLIENT.id,
      clientSecret: TEST_CLIENT.secret,
    });
    const client = new OidcClient(config, undefined);
    const error = await client.start('/calls', 'http://127.0.0.1:1').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, OidcRefusal);
    assert.is((error as OidcRefusal).reason, 'unavailable');
    assert.match(String((error as OidcRefusal).detail), /issuer/);
  } finally {
    await provider.stop();
  }
});
issuers(
  'a provider that cannot be reached sends the browser back to the login page with the reason',
  async () => {
    const gone = await startTestProvider(new Map());
    await gone.stop();
    const t = await startTestHost(
      'embedded',
      `oidc: { issuer: "${gone.issuer}", clientId: ${TEST_CLIENT.id}, clientSecret: ${TEST_CLIENT.secret} }`,
    );
    try {
      const start = await fetch(`${t.url}/api/auth/oidc/start`, { redirect: 'manual' });
      assert.is(start.status, 303);
      assert.is(start.headers.get('location'), '/login?sso=unavailable');
      const login = await fetch(`${t.url}/login?sso=unavailable`);
      assert.match(await login.text(), /The sign-in provider cannot be reached/);
    } finally {
      await t.stop();
    }
  },
);
issuers.run();
