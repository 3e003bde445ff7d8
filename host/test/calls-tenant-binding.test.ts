import assert from 'node:assert/strict';
import { signedHeaders } from '@deskrec/pbx-webhook';
import type { Kysely } from 'kysely';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until, WEBHOOK_SECRET } from './support/e2e-host.js';

const OTHER_SECRET = 'other-tenant-secret-0123456789abcdef0123';
let h: E2eHost;
let otherTenantId: string;

test.before(async () => {
  h = await startE2eHost(
    [],
    `[
      { use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } },
      { use: webhook, id: other-pbx, tenant: other, options: { secret: ${WEBHOOK_SECRET} } },
      { use: webhook, id: shared, tenant: "*", options: { secret: ${WEBHOOK_SECRET}, tenantSecrets: { other: ${OTHER_SECRET} } } }
    ]`,
  );
  const { tenant } = await h.host.services().repos.tenants.create({ slug: 'other', name: 'Other' });
  otherTenantId = tenant.id;
});

test.after(async () => {
  await h?.stop();
});

const event = (callId: string, tenant?: string) => ({
  type: 'call.started',
  callId,
  at: new Date().toISOString(),
  agent: { by: 'extension', value: '4711' },
  ...(tenant ? { tenant } : {}),
});

async function post(source: string, body: unknown, secret = WEBHOOK_SECRET): Promise<number> {
  const text = JSON.stringify(body);
  const response = await fetch(`${h.started.url}/hooks/${source}`, {
    method: 'POST',
    headers: signedHeaders(secret, text),
    body: text,
  });
  await response.arrayBuffer();
  return response.status;
}

async function tenantOfCall(callId: string): Promise<string | undefined> {
  const db = h.host.services().database.db as unknown as Kysely<{
    calls: { tenant_id: string; external_call_id: string };
  }>;
  const row = await db
    .selectFrom('calls')
    .select('tenant_id')
    .where('external_call_id', '=', callId)
    .executeTakeFirst();
  return row?.tenant_id;
}

async function logged(text: string): Promise<boolean> {
  const { body } = await h.api('GET', '/api/system-log?level=warn&limit=500');
  return (body.items as { msg: string }[]).some((line) => line.msg.includes(text));
}

test('a source bound to the default tenant never delivers into another tenant', async () => {
  assert.equal(await post('crm', event('bound-foreign', 'other')), 202);
  assert.equal(await post('crm', event('bound-own')), 202);
  await until('the own event to be recorded', async () => (await tenantOfCall('bound-own')) ?? undefined);
  assert.equal(await tenantOfCall('bound-own'), h.tenantId);
  await until('the refusal in the System Log', () =>
    logged('event names tenant "other", but this source belongs to the default tenant; skipped'),
  );
  assert.equal(await tenantOfCall('bound-foreign'), undefined, 'no call row in any tenant');
});

test('a source bound to a named tenant delivers there, and refuses events naming another', async () => {
  assert.equal(await post('other-pbx', event('named-own')), 202);
  assert.equal(await post('other-pbx', event('named-foreign', 'default')), 202);
  await until('the event to be recorded', async () => (await tenantOfCall('named-own')) ?? undefined);
  assert.equal(await tenantOfCall('named-own'), otherTenantId);
  await until('the refusal in the System Log', () =>
    logged('event names tenant "default", but this source belongs to tenant "other"; skipped'),
  );
  assert.equal(await tenantOfCall('named-foreign'), undefined);
});

test('a shared source delivers only with the tenant secret, and needs a tenant', async () => {
  assert.equal(await post('shared', event('shared-other'), OTHER_SECRET), 202);
  await until('the event to be recorded', async () => (await tenantOfCall('shared-other')) ?? undefined);
  assert.equal(await tenantOfCall('shared-other'), otherTenantId, 'the signature decided the tenant');
  assert.equal(await post('shared', event('shared-forged', 'other')), 403, 'shared secret naming a tenant');
  assert.equal(await post('shared', event('shared-none')), 202);
  await until('the refusal in the System Log', () =>
    logged('event of a source shared by tenants names no tenant; skipped'),
  );
  assert.equal(await tenantOfCall('shared-forged'), undefined);
  assert.equal(await tenantOfCall('shared-none'), undefined);
});

test.run();
