import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';

let h: E2eHost;
let server: http.Server;
let requests = 0;

test.before(async () => {
  h = await startE2eHost();
  server = http.createServer((_req, res) => {
    requests++;
    res.end('RIFF');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
test.after(async () => {
  await h?.stop();
  await new Promise((r) => server.close(r));
});

test('an audioUrl on loopback or cloud metadata is refused, never requested, and the call says why', async () => {
  const port = (server.address() as AddressInfo).port;
  const at = Date.now();
  for (const [callId, audioUrl] of [
    ['ssrf-loopback', `http://127.0.0.1:${port}/call.wav`],
    ['ssrf-metadata', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
  ] as const) {
    const base = { callId, agent: { by: 'extension', value: '5555' } };
    assert.equal(
      await h.postCallEvent({ ...base, type: 'call.started', at: new Date(at).toISOString() }),
      202,
    );
    assert.equal(
      await h.postCallEvent({ ...base, type: 'call.ended', at: new Date(at + 1000).toISOString(), audioUrl }),
      202,
    );
  }
  const db = h.host.services().database.db as unknown as Kysely<{
    calls: { external_call_id: string; audio_fetch: string | null; audio_key: string | null };
  }>;
  const answers = await until('both refusals to be recorded', async () => {
    const rows = await db
      .selectFrom('calls')
      .select(['external_call_id', 'audio_fetch', 'audio_key'])
      .where('external_call_id', 'in', ['ssrf-loopback', 'ssrf-metadata'])
      .orderBy('external_call_id')
      .execute();
    return rows.every((r) => r.audio_fetch) && rows.length === 2 ? rows : undefined;
  });
  const byId = Object.fromEntries(answers.map((r) => [r.external_call_id, r.audio_fetch ?? '']));
  assert.match(
    byId['ssrf-metadata']!,
    /^refused: .*169\.254\.169\.254 is a linkLocal address \(allow it in fetch\.allow\)/,
  );
  assert.match(byId['ssrf-loopback']!, /^refused: .*127\.0\.0\.1 is a loopback address/);
  assert.ok(answers.every((r) => r.audio_key === null));
  assert.equal(requests, 0, 'the loopback server was never contacted');
});

test.run();
