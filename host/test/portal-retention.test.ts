import assert from 'node:assert/strict';
import { test } from 'uvu';
import { startPortalHost } from './support/portal-host.js';

test('the settings page lists, adds and removes retention policies and links the audit export', async () => {
  const p = await startPortalHost('embedded');
  try {
    const cookie = await p.signIn();
    const page = async () => (await p.fetch('/admin/settings', { cookie })).text();
    /** The page a form's redirect leads to, with the flash cookie it set. */
    const after = async (res: Response) => {
      assert.equal(res.status, 303);
      const flash = res.headers.getSetCookie().map((c) => c.split(';')[0]);
      return (await p.fetch(res.headers.get('location')!, { cookie: [cookie, ...flash].join('; ') })).text();
    };
    assert.match(await page(), /No retention policy/);

    const add = await p.fetch('/admin/settings/retention', {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ name: 'Keep a month', action: 'delete', afterDays: '30', targetId: '' }),
    });
    const listed = await after(add);
    assert.match(listed, /Retention policy added/);
    assert.match(listed, /<td>Keep a month<\/td><td>Delete<\/td><td>30 days<\/td><td>Every user<\/td>/);

    const bad = await p.fetch('/admin/settings/retention', {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ name: 'Archive', action: 'move', afterDays: '7', targetId: '' }),
    });
    assert.match(await after(bad), /targetId: a move policy needs the storage target to move to/);

    const [policy] = (await p.t.host.services().repos.retentionPolicies.list(p.tenantId)) ?? [];
    assert.ok(policy);
    const removed = await p.fetch(`/admin/settings/retention/${policy.id}/delete`, {
      method: 'POST',
      cookie,
    });
    assert.equal(removed.status, 303);
    assert.match(await page(), /No retention policy/);

    const page2 = await page();
    assert.match(page2, /href="\/api\/audit-log\/export\?format=csv"/);
    const csv = await p.fetch('/api/audit-log/export?format=csv', { cookie });
    assert.equal(csv.status, 200);
    const text = await csv.text();
    assert.match(text, /retention-policy\.create/);
    assert.match(text, /retention-policy\.delete/);
  } finally {
    await p.stop();
  }
});

test.run();
