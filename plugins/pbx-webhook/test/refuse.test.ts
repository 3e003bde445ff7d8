import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { signWebhook } from '../src/index.js';
import { ended, SECRET, signedRequest, startedSource, T0 } from './helpers.js';

const refuse = suite('pbx-webhook: refused requests');
const TS = Math.floor(T0 / 1000);

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error: string };
  return body.error;
}

refuse('405 for anything but POST', async () => {
  const { source } = await startedSource();
  const res = await source.handleHttp(new Request('http://deskrec.test/hooks/pbx'));
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
});

refuse('415 for a body that is not declared JSON', async () => {
  const { source } = await startedSource();
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
    const res = await source.handleHttp(signedRequest(ended(), { headers: { 'content-type': type } }));
    assert.equal(res.status, 415, `content-type "${type}"`);
  }
});

refuse('401 for missing headers, naming which', async () => {
  const { source, sink } = await startedSource();
  const noSig = signedRequest(ended());
  noSig.headers.delete('x-deskrec-signature');
  let res = await source.handleHttp(noSig);
  assert.equal(res.status, 401);
  assert.match(await errorOf(res), /missing X-Deskrec-Signature/);
  const noTs = signedRequest(ended());
  noTs.headers.delete('x-deskrec-timestamp');
  res = await source.handleHttp(noTs);
  assert.equal(res.status, 401);
  assert.match(await errorOf(res), /missing X-Deskrec-Timestamp/);
  assert.equal(sink.events.length, 0);
  assert.equal(sink.problems.length, 2);
});

refuse(
  '401 for a wrong secret, a tampered body and a malformed signature; the secret never appears',
  async () => {
    const { source, sink } = await startedSource();
    const wrong = await source.handleHttp(
      signedRequest(ended(), { secret: 'another-secret-0123456789abcdef0123' }),
    );
    assert.equal(wrong.status, 401);
    const wrongText = await errorOf(wrong);
    assert.match(wrongText, /signature does not match/);
    assert.equal(wrongText.includes(SECRET), false);

    const body = JSON.stringify(ended());
    const tampered = signedRequest(body.replace('1001', '1002'), {
      headers: { 'x-deskrec-signature': signWebhook(SECRET, body, TS) },
    });
    assert.equal((await source.handleHttp(tampered)).status, 401);

    for (const bad of ['sha1=abc', 'sha256=zz', 'deadbeef']) {
      const res = await source.handleHttp(
        signedRequest(ended(), { headers: { 'x-deskrec-signature': bad } }),
      );
      assert.equal(res.status, 401, bad);
      assert.match(await errorOf(res), /malformed signature/);
    }
    assert.equal(sink.events.length, 0);
    for (const problem of sink.problems) assert.equal(JSON.stringify(problem).includes(SECRET), false);
  },
);

refuse('401 for a timestamp outside the window, in either direction, or not a number', async () => {
  const { source, clock } = await startedSource({ replayWindowSeconds: 300 });
  const inside = await source.handleHttp(signedRequest(ended('w-1'), { timestamp: TS - 299 }));
  assert.equal(inside.status, 202);
  for (const timestamp of [TS - 301, TS + 301]) {
    const res = await source.handleHttp(signedRequest(ended('w-2'), { timestamp }));
    assert.equal(res.status, 401, String(timestamp));
    assert.match(await errorOf(res), /outside the replay window/);
  }
  clock.ms += 600_000;
  assert.equal(
    (await source.handleHttp(signedRequest(ended('w-3')))).status,
    401,
    'stale after the clock moved',
  );
  const res = await source.handleHttp(
    signedRequest(ended(), { headers: { 'x-deskrec-timestamp': '2026-11-25' } }),
  );
  assert.equal(res.status, 401);
  assert.match(await errorOf(res), /malformed timestamp/);
});

refuse('409 for an exact replay inside the window, even with a padded signature header', async () => {
  const { source, sink } = await startedSource();
  const body = JSON.stringify(ended());
  const sig = signWebhook(SECRET, body, TS);
  assert.equal((await source.handleHttp(signedRequest(body))).status, 202);
  assert.equal((await source.handleHttp(signedRequest(body))).status, 409);
  const padded = signedRequest(body, {
    headers: { 'x-deskrec-signature': `${sig}, sha256=${'0'.repeat(64)}` },
  });
  assert.equal((await source.handleHttp(padded)).status, 409);
  assert.equal(sink.events.length, 1);
});

refuse('400 names the field: "events[0].agent.value: Required"', async () => {
  const { source, sink } = await startedSource();
  const { value: _dropped, ...agent } = ended().agent;
  const res = await source.handleHttp(signedRequest([{ ...ended(), agent }]));
  assert.equal(res.status, 400);
  assert.equal(await errorOf(res), 'events[0].agent.value: Required');
  assert.equal(sink.events.length, 0);
  assert.equal(sink.problems.length, 1);
  assert.match(sink.problems[0]!.message, /events\[0\]\.agent\.value: Required/);
  assert.ok(sink.problems[0]!.input?.includes('call.ended'));
});

refuse('400 for each kind of bad body; one bad event refuses the whole batch', async () => {
  const { source, sink } = await startedSource({ maxEventsPerRequest: 2 });
  const cases: [unknown, RegExp][] = [
    ['{"type":', /body: not valid JSON/],
    [[], /events: the array is empty/],
    [[ended('a'), ended('b'), ended('c')], /at most 2 events per request, got 3/],
    ['"hello"', /body: expected an event object/],
    [{ ...ended(), type: 'call.ringing' }, /^event\.type: /],
    [{ ...ended(), at: '25/11/2026 12:00' }, /^event\.at: expected an ISO 8601 date-time/],
    [{ ...ended(), at: '2026-11-25T12:00:00' }, /^event\.at: /],
    [{ ...ended(), audioUrl: 'file:///etc/passwd' }, /^event\.audioUrl: /],
    [[ended('ok'), { ...ended('bad'), callId: '' }], /^events\[1\]\.callId: /],
  ];
  for (const [body, message] of cases) {
    const res = await source.handleHttp(signedRequest(body));
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(await errorOf(res), message);
  }
  assert.equal(sink.events.length, 0);
  assert.equal(sink.problems.length, cases.length);
});

refuse('413 from Content-Length without reading, and from a body that grows past the limit', async () => {
  const { source, sink } = await startedSource({ maxBodyBytes: 1024 });
  const big = JSON.stringify([{ ...ended(), reason: 'x'.repeat(2000) }]);
  assert.equal((await source.handleHttp(signedRequest(big))).status, 413);

  // A chunked body without Content-Length: the handler must stop pulling once past the limit.
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 256;
      controller.enqueue(new Uint8Array(256).fill(0x20));
    },
  });
  const req = new Request('http://deskrec.test/hooks/pbx', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-deskrec-timestamp': String(TS),
      'x-deskrec-signature': signWebhook(SECRET, '', TS),
    },
    body: endless,
    duplex: 'half',
  } as RequestInit);
  const res = await source.handleHttp(req);
  assert.equal(res.status, 413);
  assert.match(await errorOf(res), /at most 1024 bytes/);
  assert.ok(pulled <= 1024 + 256 * 4, `pulled ${pulled} bytes from an endless body`);
  assert.equal(sink.events.length, 0);
});

refuse('429 when the replay memory is full of live deliveries, until they expire', async () => {
  const { source, clock } = await startedSource({ maxRememberedDeliveries: 100 });
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < 60; i++) {
    const res = await source.handleHttp(signedRequest({ ...ended(`m-${i}`), eventId: `e-${i}` }));
    if (res.status === 202) accepted++;
    if (res.status === 429) {
      refused++;
      assert.ok(res.headers.get('retry-after'));
    }
  }
  assert.equal(accepted, 50, 'each request remembers its signature and its one event id');
  assert.equal(refused, 10);
  clock.ms += 2 * 300_000 + 1000;
  const later = await source.handleHttp(
    signedRequest(ended('late'), { timestamp: Math.floor(clock.ms / 1000) }),
  );
  assert.equal(later.status, 202);
});

refuse('503 before start and after stop; stop is idempotent', async () => {
  const { source, sink } = await startedSource();
  await source.stop();
  await source.stop();
  assert.equal(source.health().state, 'stopped');
  const res = await source.handleHttp(signedRequest(ended()));
  assert.equal(res.status, 503);
  assert.equal(sink.events.length, 0);
});

refuse.run();
