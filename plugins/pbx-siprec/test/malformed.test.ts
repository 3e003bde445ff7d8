import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import { parseMessage, SipParseError, TcpFramer } from '../src/index.js';
import { startRecorder } from './helpers/recorder.js';
import { first, ids, multipart, request, SipConnection, sdpOffer } from './helpers/siprec-client.js';

const options = (c: SipConnection, callId: string) =>
  request(c, 'OPTIONS', callId, 1, { fromTag: ids().tag });

test('UDP: a request missing CSeq gets 400 matched to its Call-ID, and the recorder keeps answering', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    c.send(
      'INVITE sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKx1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: no-cseq@test\r\nContent-Length: 0\r\n\r\n',
    );
    const answer = await c.next((m) => first(m, 'call-id') === 'no-cseq@test');
    assert.equal(answer.status, 400);
    assert.match(answer.startLine, /missing cseq/i);
    await r.sink.until(() => r.sink.problems.length === 1, 'a problem');
    assert.match(r.sink.problems[0]?.message ?? '', /malformed SIP over udp/);
    c.send(options(c, 'after@test'));
    assert.equal((await c.next((m) => first(m, 'call-id') === 'after@test')).status, 200);
    assert.equal(r.sink.events.length, 0);
  } finally {
    await c.close();
    await r.stop();
  }
});

test('UDP: noise is reported, never answered, never fatal', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    for (let i = 0; i < 20; i++) c.send(randomBytes(5 + ((i * 37) % 900)));
    c.send('\r\n\r\n'); // a keep-alive: neither a problem nor answered
    c.send(options(c, 'still@test'));
    const answer = await c.next((m) => first(m, 'call-id') === 'still@test');
    assert.equal(answer.status, 200);
    assert.match(first(answer, 'allow'), /INVITE/);
    await r.sink.until(() => r.sink.problems.length === 20, '20 problems');
  } finally {
    await c.close();
    await r.stop();
  }
});

test('TCP: a message without Content-Length gets 400 and the connection is closed', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('tcp', r.port);
  try {
    c.send(
      'OPTIONS sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKx2\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: no-length@test\r\nCSeq: 1 OPTIONS\r\n\r\n',
    );
    const answer = await c.next((m) => first(m, 'call-id') === 'no-length@test');
    assert.equal(answer.status, 400);
    await c.next(() => false, 2000, 'close').catch(() => undefined);
    assert.ok(c.closed, 'the recorder closes a connection whose framing broke');
  } finally {
    await c.close();
    await r.stop();
  }
});

test('INVITE with broken rs-metadata, unknown Require, no audio: 400, 420, 488; no events', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    const send = (callId: string, body: { type: string; body: string }, extra: string[] = []) =>
      c.send(
        request(c, 'INVITE', callId, 1, {
          fromTag: ids().tag,
          contentType: body.type,
          body: body.body,
          extra,
        }),
      );
    send('xml@test', multipart(sdpOffer(30000, ['PCMU', 'PCMU']), '<recording><participant>'));
    assert.equal((await c.final('1 INVITE')).status, 400);
    send(
      'doctype@test',
      multipart(sdpOffer(30000, ['PCMU', 'PCMU']), '<!DOCTYPE x [<!ENTITY a "b">]><recording/>'),
    );
    assert.equal((await c.final('1 INVITE')).status, 400);
    send('require@test', multipart(sdpOffer(30000, ['PCMU', 'PCMU']), '<recording/>'), ['Require: foo']);
    const r420 = await c.final('1 INVITE');
    assert.equal(r420.status, 420);
    assert.equal(first(r420, 'unsupported'), 'foo');
    const video =
      'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 30000 RTP/AVP 96\r\n';
    send('video@test', { type: 'application/sdp', body: video });
    assert.equal((await c.final('1 INVITE')).status, 488);
    send('boundary@test', { type: 'multipart/mixed', body: 'x' });
    assert.equal((await c.final('1 INVITE')).status, 400);
    assert.equal(r.sink.events.length, 0);
    assert.equal(r.source.activeCalls, 0);
  } finally {
    await c.close();
    await r.stop();
  }
});

// Mutations of a real SIPREC INVITE: the parser either reads it or throws SipParseError, nothing else.
const seedInvite = () => {
  const { type, body } = multipart(
    sdpOffer(30000, ['PCMU', 'PCMA']),
    '<recording xmlns="urn:ietf:params:xml:ns:recording:1"/>',
  );
  return Buffer.from(
    `INVITE sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKseed\r\nMax-Forwards: 70\r\nFrom: "SRC" <sip:src@127.0.0.1>;tag=seed\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: seed@test\r\nCSeq: 1 INVITE\r\nContact: <sip:src@127.0.0.1:5999>;+sip.src\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'latin1',
  );
};

/** A deterministic generator, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(seed: Buffer, rnd: () => number): Buffer {
  const out = Buffer.from(seed);
  const kind = Math.floor(rnd() * 5);
  const at = Math.floor(rnd() * out.length);
  if (kind === 0) return out.subarray(0, at); // truncated
  if (kind === 1) {
    for (let i = 0; i < 1 + rnd() * 8; i++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    return out;
  }
  if (kind === 2)
    return Buffer.concat([
      out.subarray(0, at),
      out.subarray(Math.min(out.length, at + 1 + Math.floor(rnd() * 40))),
    ]);
  if (kind === 3) {
    const tokens = [
      ':',
      '\r\n',
      ' ',
      ';',
      '<',
      '>',
      '\r\n\r\n',
      'Content-Length: 99999',
      '\u0000',
      'SIP/2.0',
      '--',
    ];
    const t = Buffer.from(tokens[Math.floor(rnd() * tokens.length)] as string, 'latin1');
    return Buffer.concat([out.subarray(0, at), t, out.subarray(at)]);
  }
  return randomBytes(Math.floor(rnd() * 600));
}

test('fuzz: 20,000 mutated and random messages: parseMessage throws only SipParseError, the framer never throws', () => {
  const seed = seedInvite();
  const rnd = prng(16);
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    const data = mutate(seed, rnd);
    try {
      parseMessage(data);
      parsed++;
    } catch (error) {
      assert.ok(error instanceof SipParseError, `case ${i}: ${(error as Error).stack}`);
      refused++;
    }
    const framer = new TcpFramer(64 * 1024);
    framer.push(data.subarray(0, Math.floor(data.length / 2)));
    framer.push(data.subarray(Math.floor(data.length / 2)));
  }
  assert.ok(parsed > 0 && refused > 0, `parsed ${parsed}, refused ${refused}`);
});

test('fuzz over UDP: 2,000 mutated INVITEs; every answer is 400 or a real answer, the recorder still works', async () => {
  const r = await startRecorder({ maxCalls: 5000 });
  const c = await SipConnection.open('udp', r.port);
  try {
    const seed = seedInvite();
    const rnd = prng(7866);
    for (let i = 0; i < 2000; i++) {
      c.send(mutate(seed, rnd));
      if (i % 50 === 49) await new Promise((res) => setTimeout(res, 5));
    }
    c.send(options(c, 'alive@test'));
    assert.equal((await c.next((m) => first(m, 'call-id') === 'alive@test', 10_000)).status, 200);
    assert.ok(r.sink.problems.length > 0);
    await assert.rejects(
      c.next((m) => m.status === 500, 300, 'a 500'),
      'no request made the recorder fail',
    );
  } finally {
    await c.close();
    await r.stop();
  }
});

test.run();
