import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'uvu';
import { wavHeader } from '../src/index.js';
import { startRecorder } from './helpers/recorder.js';
import {
  answerPorts,
  bye,
  type CallSpec,
  first,
  ids,
  invite,
  multipart,
  request,
  rsMetadata,
  SipConnection,
  sdpOffer,
  sendRtp,
} from './helpers/siprec-client.js';
import { loudSamples, readWav, toneShare } from './helpers/wav-read.js';

const spec = (sessionId: string, ext = '1001'): CallSpec => ({
  sessionId,
  agent: { aor: `sip:${ext}@pbx.example.com` },
  other: { aor: 'sip:+15557654321@carrier.example' },
});

test('re-INVITE keeps the session and its ports, switches the codec; a new agent in the metadata is a transfer', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, spec('reinvite-1'), 30000);
    await sendRtp([{ port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 25 }], 20);
    d.cseq++;
    const { type, body } = multipart(
      sdpOffer(30000, ['PCMA', 'PCMA'], 2),
      rsMetadata(spec('reinvite-1', '2002')),
    );
    c.send(
      request(c, 'INVITE', d.callId, d.cseq, { fromTag: d.fromTag, to: d.toHeader, contentType: type, body }),
    );
    const answer = await c.final(`${d.cseq} INVITE`);
    assert.equal(answer.status, 200);
    assert.equal(first(answer, 'to'), d.toHeader, 'same dialog');
    assert.deepEqual(answerPorts(answer), d.rtpPorts, 'same RTP ports');
    assert.match(answer.body, /a=rtpmap:8 PCMA/);
    assert.match(answer.body, /^o=deskrec \S+ 2 /m, 'SDP version grows');
    c.send(request(c, 'ACK', d.callId, d.cseq, { fromTag: d.fromTag, to: d.toHeader }));
    await sendRtp(
      [{ port: d.rtpPorts[0] as number, codec: 'PCMA', frequency: 440, packets: 25, ssrc: 99 }],
      20,
    );
    assert.equal(r.source.activeCalls, 1);
    assert.equal((await bye(c, d)).status, 200);
    await r.sink.until(() => r.sink.events.length === 4, '4 events');
    assert.deepEqual(
      r.sink.events.map((e) => `${e.type} ${e.callId} ${e.agent.value}`),
      [
        'call.started reinvite-1 1001',
        'call.ended reinvite-1 1001',
        'call.started reinvite-1 2002',
        'call.ended reinvite-1 2002',
      ],
    );
    const wav = await readWav(r.sink.events[3]?.audio?.path as string);
    const left = wav.samples[0] as Int16Array;
    assert.ok(loudSamples(left) > 7500, `both halves recorded (${loudSamples(left)} loud samples of 8000)`);
    assert.equal(r.sink.events[1]?.audio, undefined, 'the file goes with the last end only');
  } finally {
    await c.close();
    await r.stop();
  }
});

test('RTP timeout: the sender disappears, the recorder sends BYE and ends the call with its audio', async () => {
  const r = await startRecorder({ rtpTimeoutSeconds: 0.5 });
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, spec('timeout-1'));
    await sendRtp([{ port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 10 }]);
    const byeIn = await c.next((m) => m.method === 'BYE', 5000, 'BYE from the recorder');
    assert.equal(first(byeIn, 'call-id'), d.callId);
    assert.match(byeIn.startLine, /^BYE sip:src@127\.0\.0\.1:\d+ SIP\/2\.0$/);
    assert.match(first(byeIn, 'from'), /tag=/);
    await r.sink.until(() => r.sink.ended('timeout-1') !== undefined, 'call.ended');
    const ended = r.sink.ended('timeout-1');
    assert.equal(ended?.reason, 'rtp timeout');
    const wav = await readWav(ended?.audio?.path as string);
    assert.ok(loudSamples(wav.samples[0] as Int16Array) > 1500);
    assert.equal(r.source.activeCalls, 0);
  } finally {
    await c.close();
    await r.stop();
  }
});

test('reordered packets go back in place and a lost packet leaves silence of its length', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, spec('jitter-1'));
    // Pairs swapped (1,0,3,2,…) and packet 20 never sent.
    const order = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? i + 1 : i - 1));
    await sendRtp([
      {
        port: d.rtpPorts[0] as number,
        codec: 'PCMU',
        frequency: 440,
        packets: 50,
        order,
        drop: new Set([20]),
      },
    ]);
    await bye(c, d);
    await r.sink.until(() => r.sink.ended('jitter-1') !== undefined, 'call.ended');
    const wav = await readWav(r.sink.ended('jitter-1')?.audio?.path as string);
    const left = wav.samples[0] as Int16Array;
    const start = left.findIndex((s) => Math.abs(s) > 200);
    // The first packet sent is #1; #0 lands 160 samples before it.
    const audio = left.subarray(start - 2, start - 2 + 50 * 160);
    const hole = audio.subarray(20 * 160 + 8, 21 * 160 - 8);
    assert.equal(loudSamples(hole, 0), 0, 'packet 20 is silence');
    const before = audio.subarray(0, 20 * 160);
    assert.ok(toneShare(before, 440) > 0.95, `reordered part is a clean tone (${toneShare(before, 440)})`);
    assert.ok(
      loudSamples(audio.subarray(21 * 160)) > 28 * 160,
      `the rest is there (${loudSamples(audio.subarray(21 * 160))} of ${audio.length - 21 * 160}, start ${start}, length ${left.length})`,
    );
  } finally {
    await c.close();
    await r.stop();
  }
});

test('the file is a valid WAV while the call runs (header rewritten as it grows)', async () => {
  const r = await startRecorder({ headerRewriteMs: 100, jitterBufferMs: 40 });
  const c = await SipConnection.open('tcp', r.port);
  try {
    const d = await invite(c, spec('crash-1'));
    await sendRtp([{ port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 30 }], 20);
    await new Promise((res) => setTimeout(res, 300));
    const [file] = (await fs.readdir(r.dir)).filter((f) => f.endsWith('.wav'));
    const copy = `${r.dir}/copy-while-running.wav`;
    await fs.copyFile(`${r.dir}/${file}`, copy);
    const wav = await readWav(copy);
    assert.ok(wav.dataBytes > 0, 'the header counts the samples written so far');
    assert.ok(
      loudSamples(wav.samples[0] as Int16Array) > 3000,
      'what was received is in it, before the call ends',
    );
    await bye(c, d);
  } finally {
    await c.close();
    await r.stop();
  }
});

test('INVITE retransmission gets the same 200; OPTIONS, CANCEL and unknown methods are answered', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    const callId = 'retrans@test';
    const { tag, branch } = ids();
    const { type, body } = multipart(sdpOffer(30000, ['PCMU', 'PCMU']), rsMetadata(spec('retrans-1')));
    const inv = request(c, 'INVITE', callId, 1, { fromTag: tag, contentType: type, body, branch });
    c.send(inv);
    const a1 = await c.final('1 INVITE');
    c.send(inv);
    const a2 = await c.final('1 INVITE');
    assert.equal(first(a2, 'to'), first(a1, 'to'));
    assert.equal(a2.body, a1.body);
    c.send(request(c, 'ACK', callId, 1, { fromTag: tag, to: first(a1, 'to') }));
    c.send(
      request(c, 'CANCEL', 'nobody@test', 1, { fromTag: tag }).replace('CSeq: 1 CANCEL', 'CSeq: 1 CANCEL'),
    );
    assert.equal((await c.final('1 CANCEL')).status, 481);
    c.send(request(c, 'MESSAGE', 'msg@test', 1, { fromTag: tag }));
    const m405 = await c.final('1 MESSAGE');
    assert.equal(m405.status, 405);
    assert.match(first(m405, 'allow'), /BYE/);
    c.send(request(c, 'BYE', 'nobody@test', 2, { fromTag: tag, to: '<sip:srs@127.0.0.1>;tag=nope' }));
    assert.equal((await c.final('2 BYE')).status, 481);
    assert.equal(
      r.sink.events.filter((e) => e.type === 'call.started').length,
      1,
      'one start for a retransmitted INVITE',
    );
  } finally {
    await c.close();
    await r.stop();
  }
});

test('maxCalls: one more INVITE gets 503', async () => {
  const r = await startRecorder({ maxCalls: 1 });
  const c = await SipConnection.open('udp', r.port);
  try {
    await invite(c, spec('max-1'));
    await assert.rejects(invite(c, spec('max-2')), /503/);
  } finally {
    await c.close();
    await r.stop();
  }
});

test('a call without a matching agent is recorded and reported, with no call events', async () => {
  const r = await startRecorder({ agentDomains: ['other.example'] });
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, spec('noagent-1'));
    await bye(c, d);
    await r.sink.until(() => r.sink.problems.length === 2, 'two problems');
    assert.match(r.sink.problems[1]?.message ?? '', /recording without agent: .*\.wav/);
    assert.equal(r.sink.events.length, 0);
  } finally {
    await c.close();
    await r.stop();
  }
});

test('50 concurrent calls over UDP and TCP: every one recorded on both channels', async () => {
  const r = await startRecorder();
  const conns = await Promise.all(
    Array.from({ length: 50 }, (_, i) => SipConnection.open(i % 2 ? 'tcp' : 'udp', r.port)),
  );
  try {
    const dialogs = await Promise.all(conns.map((c, i) => invite(c, spec(`many-${i}`, String(3000 + i)))));
    assert.equal(r.source.activeCalls, 50);
    await Promise.all(
      dialogs.map((d) =>
        sendRtp(
          [
            { port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 25 },
            { port: d.rtpPorts[1] as number, codec: 'PCMA', frequency: 1050, packets: 25 },
          ],
          20,
        ),
      ),
    );
    await Promise.all(dialogs.map((d, i) => bye(conns[i] as SipConnection, d)));
    await r.sink.until(() => r.sink.events.filter((e) => e.type === 'call.ended').length === 50, '50 ends');
    for (let i = 0; i < 50; i++) {
      const ended = r.sink.ended(`many-${i}`);
      assert.equal(ended?.agent.value, String(3000 + i));
      const wav = await readWav(ended?.audio?.path as string);
      assert.ok(
        toneShare(wav.samples[0] as Int16Array, 440) > 0.9,
        `call ${i} left (${toneShare(wav.samples[0] as Int16Array, 440)})`,
      );
      assert.ok(toneShare(wav.samples[1] as Int16Array, 1050) > 0.9, `call ${i} right`);
      assert.ok(loudSamples(wav.samples[0] as Int16Array) > 3800, `call ${i}: all 25 packets`);
    }
  } finally {
    await Promise.all(conns.map((c) => c.close()));
    await r.stop();
  }
});

test('allowFrom: an SRC outside the list gets 403 and creates nothing; one inside is recorded', async () => {
  const closed = await startRecorder({ allowFrom: ['10.0.0.0/8', '::1'] });
  const c = await SipConnection.open('udp', closed.port);
  try {
    await assert.rejects(invite(c, spec('refused-1')), /403/);
    assert.equal(closed.source.activeCalls, 0);
    assert.match(closed.sink.problems[0]?.message ?? '', /refused \(403\): not in allowFrom/);
  } finally {
    await c.close();
    await closed.stop();
  }
  const open = await startRecorder({ allowFrom: ['127.0.0.0/8'] });
  const c2 = await SipConnection.open('udp', open.port);
  try {
    const d = await invite(c2, spec('allowed-1'));
    await bye(c2, d);
    await open.sink.until(() => open.sink.ended('allowed-1') !== undefined, 'call.ended');
  } finally {
    await c2.close();
    await open.stop();
  }
});

test('a file left by a crash (still .recording.wav) is finished at start and reported; finished files are .wav', async () => {
  const first = await startRecorder();
  const dir = first.dir;
  const c = await SipConnection.open('udp', first.port);
  const d = await invite(c, spec('done-1'));
  await bye(c, d);
  await first.sink.until(() => first.sink.ended('done-1') !== undefined, 'call.ended');
  assert.match(first.sink.ended('done-1')?.audio?.path ?? '', /[^g]\.wav$/);
  await c.close();
  await first.source.stop();
  // What a killed recorder leaves: a header that still says 0 bytes, samples after it.
  const samples = Buffer.alloc(8000 * 4 + 2, 1);
  await fs.writeFile(`${dir}/cut-call.recording.wav`, Buffer.concat([wavHeader(0, 2, 8000), samples]));
  const { SiprecOptionsSchema, SiprecSource } = await import('../src/index.js');
  const { TestSink } = await import('./helpers/recorder.js');
  const { silentLogger, systemClock } = await import('@deskrec/core');
  const again = new SiprecSource(SiprecOptionsSchema.parse({ port: 0, recordingsDir: dir }), {
    clock: systemClock,
    logger: silentLogger,
    dataDir: dir,
  });
  const sink = new TestSink();
  await again.start(sink);
  try {
    assert.match(sink.problems[0]?.message ?? '', /left by an earlier run.*cut-call\.wav/);
    const wav = await readWav(`${dir}/cut-call.wav`);
    assert.equal(wav.dataBytes, 8000 * 4, 'the header counts the whole frames on disk');
    assert.deepEqual(
      (await fs.readdir(dir)).filter((f) => f.endsWith('.recording.wav')),
      [],
    );
  } finally {
    await again.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('pause (re-INVITE with a=inactive) holds off the RTP timeout; UPDATE with new metadata is a transfer', async () => {
  const r = await startRecorder({ rtpTimeoutSeconds: 0.5 });
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, spec('pause-1'));
    d.cseq++;
    const paused = sdpOffer(30000, ['PCMU', 'PCMU'], 2).replaceAll('a=sendonly', 'a=inactive');
    c.send(
      request(c, 'INVITE', d.callId, d.cseq, {
        fromTag: d.fromTag,
        to: d.toHeader,
        contentType: 'application/sdp',
        body: paused,
      }),
    );
    const answer = await c.final(`${d.cseq} INVITE`);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /a=inactive/);
    c.send(request(c, 'ACK', d.callId, d.cseq, { fromTag: d.fromTag, to: d.toHeader }));
    await new Promise((res) => setTimeout(res, 1200));
    assert.equal(r.source.activeCalls, 1, 'a paused recording does not time out');
    d.cseq++;
    const xml = rsMetadata(spec('pause-1', '2002'));
    c.send(
      request(c, 'UPDATE', d.callId, d.cseq, {
        fromTag: d.fromTag,
        to: d.toHeader,
        contentType: 'application/rs-metadata+xml',
        body: xml,
      }),
    );
    assert.equal((await c.final(`${d.cseq} UPDATE`)).status, 200);
    await r.sink.until(() => r.sink.events.length === 3, 'transfer events');
    assert.deepEqual(
      r.sink.events.map((e) => `${e.type} ${e.agent.value}`),
      ['call.started 1001', 'call.ended 1001', 'call.started 2002'],
    );
    assert.equal((await bye(c, d)).status, 200);
    await r.sink.until(() => r.sink.events.length === 4, 'end');
  } finally {
    await c.close();
    await r.stop();
  }
});

test.run();
