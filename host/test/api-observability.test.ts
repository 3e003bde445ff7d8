import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

const TOKEN = 'metrics-scraper-token-0123456789';

for (const kind of await databaseKinds()) {
  const test = suite<{ open: TestHost; tokenOnly: TestHost; listed: TestHost }>(
    `api: /metrics and detailed health need a token or a listed address (${kind})`,
  );

  test.before(async (ctx) => {
    // The tests connect from 127.0.0.1: an allow-list without it stands for a scraper elsewhere.
    ctx.tokenOnly = await startTestHost(kind, `observability: { token: ${TOKEN}, allow: ["10.0.0.0/8"] }`);
    ctx.listed = await startTestHost(kind, 'observability: { allow: ["10.0.0.0/8", "127.0.0.0/8"] }');
    ctx.open = await startTestHost(kind);
  });
  test.after(async (ctx) => {
    await ctx.tokenOnly.stop();
    await ctx.listed.stop();
    await ctx.open.stop();
  });

  test('without the token, /metrics is refused and health says only whether the host is up', async (ctx) => {
    const metrics = await fetch(`${ctx.tokenOnly.url}/metrics`);
    assert.is(metrics.status, 401);
    const body = (await metrics.json()) as { error: { code: string; message: string } };
    assert.is(body.error.code, 'unauthenticated');
    assert.match(body.error.message, /observability\.token|observability\.allow/);
    const wrong = await fetch(`${ctx.tokenOnly.url}/metrics`, {
      headers: { authorization: 'Bearer wrong-token-wrong-token-0000' },
    });
    assert.is(wrong.status, 401);
    await wrong.arrayBuffer();
    const health = await ctx.tokenOnly.call('GET', '/api/health');
    assert.is(health.status, 200);
    assert.equal(health.body, { status: 'ok' }, 'liveness only: no database or controller detail');
  });

  test('with the token, /metrics and the detailed health answer', async (ctx) => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const metrics = await fetch(`${ctx.tokenOnly.url}/metrics`, { headers: auth });
    assert.is(metrics.status, 200);
    assert.match(await metrics.text(), /deskrec_http_requests_total/);
    const health = await ctx.tokenOnly.call('GET', '/api/health', { headers: auth });
    assert.is(health.status, 200);
    assert.is(health.body.status, 'ok');
    assert.is(health.body.database.ok, true);
    assert.ok(health.body.controller, 'the controller detail');
  });

  test('an address in observability.allow needs no token', async (ctx) => {
    const metrics = await fetch(`${ctx.listed.url}/metrics`);
    assert.is(metrics.status, 200);
    assert.match(await metrics.text(), /deskrec_connected_agents/);
    const health = await ctx.listed.call('GET', '/api/health');
    assert.is(health.body.database.ok, true);
  });

  test('by default only this machine (loopback) may read them', async (ctx) => {
    const metrics = await fetch(`${ctx.open.url}/metrics`);
    assert.is(metrics.status, 200);
    await metrics.arrayBuffer();
    const { config } = ctx.open.host.services();
    assert.equal(config.observability.allow, ['127.0.0.0/8', '::1/128']);
  });

  test.run();
}
