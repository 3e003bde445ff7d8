import assert from 'node:assert/strict';
import { test } from 'uvu';
import { csvCell, csvLine } from '../src/audit/export-format.js';
import { HOST_TOKENS } from '../src/tokens.js';
import { addTenant, startTestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

test('CSV cells: quotes, commas and line breaks are quoted; formula starts are defused', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("http://evil","x")'), `"'=HYPERLINK(""http://evil"",""x"")"`);
  for (const start of ['+', '-', '@', '\t', '\r'])
    assert.ok(csvCell(`${start}1`).replace(/^"/, '').startsWith(`'${start}`));
  assert.equal(csvLine(['a', null, 1]), 'a,,1\r\n');
});

/** A minimal RFC 4180 reader for the test: quoted cells with doubled quotes and embedded line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

for (const kind of await databaseKinds()) {
  test(`${kind}: the audit log exports as CSV and JSON, by time range, only the tenant's own`, async () => {
    const h = await startTestHost(kind);
    try {
      const token = await h.login();
      const tenantId = h.host.resolve(HOST_TOKENS.DefaultTenantId);
      const audit = h.host.services().repos.audit;
      await audit.record(tenantId, {
        actorUserId: null,
        action: 'call.legal-hold.set',
        targetType: 'call',
        targetId: '=cmd|" /C calc"!A0',
        detail: { reason: 'line one\nline two, with "quotes"' },
        ip: '127.0.0.1',
      });
      const other = await addTenant(h, 'other');
      await h.host.services().repos.audit.record(other.tenantId, {
        actorUserId: null,
        action: 'secret.of.other',
        targetType: 'call',
        targetId: 'other-call',
        ip: null,
      });

      const csv = await fetch(`${h.url}/api/audit-log/export?format=csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="audit-log-.*\.csv"/);
      const rows = parseCsv(await csv.text());
      assert.deepEqual(rows[0], [
        'id',
        'at',
        'actorUserId',
        'actorUsername',
        'action',
        'targetType',
        'targetId',
        'ip',
        'detail',
      ]);
      const hold = rows.find((r) => r[4] === 'call.legal-hold.set');
      assert.ok(hold, 'the hold line is exported');
      assert.equal(hold[6], `'=cmd|" /C calc"!A0`, 'the formula is defused');
      assert.deepEqual(JSON.parse(hold[8]!), { reason: 'line one\nline two, with "quotes"' });
      assert.ok(
        rows.some((r) => r[4] === 'auth.login' && r[3] === 'admin'),
        'the sign-in names its user',
      );
      assert.ok(!rows.some((r) => r[4] === 'secret.of.other'), "no other tenant's line");

      const json = await h.call('GET', '/api/audit-log/export?format=json', { token });
      assert.equal(json.status, 200);
      assert.ok(Array.isArray(json.body));
      const ids = json.body.map((r: { id: number }) => r.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'oldest first',
      );
      assert.ok(json.body.some((r: { action: string }) => r.action === 'call.legal-hold.set'));
      assert.ok(!json.body.some((r: { action: string }) => r.action === 'secret.of.other'));
      assert.ok(
        json.body.some((r: { action: string }) => r.action === 'audit-log.export'),
        'exports are audited',
      );

      const theirs = await h.call('GET', '/api/audit-log/export?format=json', { token: other.bearer });
      assert.ok(theirs.body.some((r: { action: string }) => r.action === 'secret.of.other'));
      assert.ok(!theirs.body.some((r: { action: string }) => r.action === 'call.legal-hold.set'));

      const future = await h.call('GET', '/api/audit-log/export?format=json&from=2999-01-01', { token });
      assert.deepEqual(future.body, []);
      const past = await h.call('GET', '/api/audit-log/export?format=json&to=2000-01-01T00:00:00Z', {
        token,
      });
      assert.deepEqual(past.body, []);

      const badFormat = await h.call('GET', '/api/audit-log/export?format=xml', { token });
      assert.equal(badFormat.status, 400);
      assert.equal(badFormat.body.error.field, 'query.format');
      const badRange = await h.call('GET', '/api/audit-log/export?format=csv&from=2026-02-01&to=2026-01-01', {
        token,
      });
      assert.equal(badRange.status, 400);
      assert.equal(badRange.body.error.field, 'query.to');
      assert.equal((await h.call('GET', '/api/audit-log/export?format=csv')).status, 401);
    } finally {
      await h.stop();
    }
  });
}

test.run();
