import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { ended, SECRET, signedRequest, startedSource } from './helpers.js';

const tenants = suite('pbx-webhook: per-tenant signing secrets');
const ACME = 'acme-secret-0123456789abcdef0123456789ab';
const GLOBEX = 'globex-secret-0123456789abcdef0123456789';
const tenantSecrets = { acme: ACME, globex: GLOBEX };

tenants('a request signed with a tenant secret carries that tenant, named or not', async () => {
  const { source, sink } = await startedSource({ tenantSecrets });
  const named = await source.handleHttp(signedRequest({ ...ended('c-1'), tenant: 'acme' }, { secret: ACME }));
  assert.equal(named.status, 202);
  const unnamed = await source.handleHttp(signedRequest(ended('c-2'), { secret: GLOBEX }));
  assert.equal(unnamed.status, 202);
  assert.deepEqual(
    sink.events.map((e) => [e.callId, e.tenant]),
    [
      ['c-1', 'acme'],
      ['c-2', 'globex'],
    ],
  );
});

tenants('403 when an event names another tenant than the one whose secret signed it', async () => {
  const { source, sink } = await startedSource({ tenantSecrets });
  const res = await source.handleHttp(
    signedRequest([ended('c-1'), { ...ended('c-2'), tenant: 'globex' }], { secret: ACME }),
  );
  assert.equal(res.status, 403);
  const { error } = (await res.json()) as { error: string };
  assert.equal(error, 'forbidden: request signed for tenant "acme" carries an event for tenant "globex"');
  assert.equal(error.includes(ACME), false);
  assert.equal(sink.events.length, 0, 'nothing of a refused request is applied');
  assert.equal(sink.problems.length, 1);
});

tenants('403 when the shared secret signs an event that names a tenant', async () => {
  const { source, sink } = await startedSource({ tenantSecrets });
  const res = await source.handleHttp(signedRequest({ ...ended('c-1'), tenant: 'acme' }, { secret: SECRET }));
  assert.equal(res.status, 403);
  assert.match(
    ((await res.json()) as { error: string }).error,
    /only a request signed with that tenant's secret/,
  );
  const own = await source.handleHttp(signedRequest(ended('c-2'), { secret: SECRET }));
  assert.equal(own.status, 202, "the shared secret still signs events for the source's own tenant");
  assert.deepEqual(
    sink.events.map((e) => [e.callId, e.tenant]),
    [['c-2', undefined]],
  );
});

tenants(
  'without tenant secrets the tenant named in an event is passed on for the host to check',
  async () => {
    const { source, sink } = await startedSource();
    const res = await source.handleHttp(signedRequest({ ...ended('c-1'), tenant: 'acme' }));
    assert.equal(res.status, 202);
    assert.equal(sink.events[0]?.tenant, 'acme');
  },
);

tenants('tenant secrets are checked like the shared one: slug form and length', async () => {
  const { WebhookOptionsSchema } = await import('../src/index.js');
  const badSlug = WebhookOptionsSchema.safeParse({ secret: SECRET, tenantSecrets: { Acme: ACME } });
  assert.deepEqual(
    badSlug.error?.issues.map((i) => i.path.join('.')),
    ['tenantSecrets.Acme'],
  );
  const short = WebhookOptionsSchema.safeParse({ secret: SECRET, tenantSecrets: { acme: 'short' } });
  assert.deepEqual(
    short.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    ['tenantSecrets.acme: must be at least 32 characters'],
  );
});

tenants.run();
