import assert from 'node:assert/strict';
import { CallEventSchema } from '@deskrec/core';
import { suite } from 'uvu';
import { signWebhook } from '../src/index.js';
import { ended, OLD_SECRET, SECRET, signedRequest, startedSource, T0 } from './helpers.js';

const accept = suite('pbx-webhook: accepted requests');

accept('a single event is emitted as a CallEvent and answered 202', async () => {
  const { source, sink } = await startedSource();
  const res = await source.handleHttp(
    signedRequest({ ...ended(), audioUrl: 'https://pbx.example/rec/c-1.wav' }),
  );
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 1, duplicates: 0 });
  assert.equal(sink.events.length, 1);
  const event = sink.events[0]!;
  assert.ok(CallEventSchema.safeParse(event).success);
  assert.equal(event.type, 'call.ended');
  assert.equal(event.callId, 'c-1');
  assert.equal(event.at.toISOString(), '2026-11-25T12:03:10.000Z');
  assert.deepEqual(event.agent, { by: 'extension', value: '1001' });
  assert.equal(event.direction, 'inbound');
  assert.equal(event.reason, 'normal clearing');
  assert.equal(event.audioUrl, 'https://pbx.example/rec/c-1.wav');
  assert.deepEqual(sink.problems, []);
});

accept('an array is emitted in order; direction defaults to unknown', async () => {
  const { source, sink } = await startedSource();
  const a = {
    type: 'call.started',
    callId: 'x',
    at: '2026-11-25T12:00:00+01:00',
    agent: { by: 'login', value: 'CORP\\ann' },
  };
  const b = { ...a, type: 'call.ended', at: '2026-11-25T12:05:00+01:00' };
  const res = await source.handleHttp(signedRequest([a, b]));
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 2, duplicates: 0 });
  assert.deepEqual(
    sink.events.map((e) => [e.type, e.at.toISOString(), e.direction, e.agent.value]),
    [
      ['call.started', '2026-11-25T11:00:00.000Z', 'unknown', 'CORP\\ann'],
      ['call.ended', '2026-11-25T11:05:00.000Z', 'unknown', 'CORP\\ann'],
    ],
  );
});

accept('snake_case aliases and Unix-millisecond times are accepted; unknown keys ignored', async () => {
  const { source, sink } = await startedSource();
  const res = await source.handleHttp(
    signedRequest({
      type: 'call.started',
      call_id: 'snake-1',
      at: T0,
      agent: { by: 'user-id', value: 'u-42' },
      audio_url: 'http://recorder.lan/a.mp3',
      vendor_extra: { anything: true },
    }),
  );
  assert.equal(res.status, 202);
  const event = sink.events[0]!;
  assert.equal(event.callId, 'snake-1');
  assert.equal(event.at.getTime(), T0);
  assert.equal(event.audioUrl, 'http://recorder.lan/a.mp3');
  assert.equal('vendor_extra' in event, false);
  assert.equal('call_id' in event, false);
});

accept('a previous secret still verifies during rotation', async () => {
  const { source, sink } = await startedSource({ previousSecrets: [OLD_SECRET] });
  assert.equal((await source.handleHttp(signedRequest(ended(), { secret: OLD_SECRET }))).status, 202);
  assert.equal(sink.events.length, 1);
});

accept('a header with several signatures passes when one matches', async () => {
  const { source } = await startedSource();
  const body = JSON.stringify(ended());
  const ts = Math.floor(T0 / 1000);
  const both = `${signWebhook(OLD_SECRET, body, ts)}, ${signWebhook(SECRET, body, ts)}`;
  const res = await source.handleHttp(signedRequest(body, { headers: { 'x-deskrec-signature': both } }));
  assert.equal(res.status, 202);
});

accept('content types with charset or +json suffix are JSON', async () => {
  const { source } = await startedSource();
  for (const type of ['application/json; charset=utf-8', 'application/vnd.pbx+json']) {
    const res = await source.handleHttp(
      signedRequest(ended(`ct-${type}`), { headers: { 'content-type': type } }),
    );
    assert.equal(res.status, 202, type);
  }
});

accept('a repeated eventId inside the window is acknowledged but emitted once', async () => {
  const { source, sink, clock } = await startedSource();
  const first = await source.handleHttp(signedRequest([{ ...ended('d-1'), eventId: 'e-1' }]));
  assert.deepEqual(await first.json(), { accepted: 1, duplicates: 0 });
  // A retry re-signed a second later: a new signature, the same event.
  clock.ms += 1000;
  const retry = await source.handleHttp(
    signedRequest(
      [
        { ...ended('d-1'), event_id: 'e-1' },
        { ...ended('d-2'), eventId: 'e-2' },
      ],
      {
        timestamp: Math.floor(clock.ms / 1000),
      },
    ),
  );
  assert.equal(retry.status, 202);
  assert.deepEqual(await retry.json(), { accepted: 1, duplicates: 1 });
  assert.deepEqual(
    sink.events.map((e) => e.callId),
    ['d-1', 'd-2'],
  );
});

accept('health reports the time of the last accepted event', async () => {
  const { source, clock } = await startedSource();
  const before = source.health();
  assert.equal(before.state, 'connected');
  assert.equal(before.lastEventAt, undefined);
  assert.equal(before.reconnects, 0);
  clock.ms += 5000;
  await source.handleHttp(signedRequest(ended(), { timestamp: Math.floor(clock.ms / 1000) }));
  const after = source.health();
  assert.equal(after.lastEventAt?.getTime(), clock.ms);
  assert.match(after.detail ?? '', /last event received/);
});

accept.run();
