import assert from 'node:assert/strict';
import { test } from 'uvu';
import { startRecorder } from './helpers/recorder.js';
import { bye, invite, SipConnection, sendRtp } from './helpers/siprec-client.js';
import { loudSamples, readWav, toneShare } from './helpers/wav-read.js';

const agent = { aor: 'sip:1001@pbx.example.com', name: 'Ann Agent' };
const other = { aor: 'sip:+15551234567@carrier.example', name: 'Caller' };

for (const transport of ['udp', 'tcp'] as const) {
  test(`${transport}: one call, agent µ-law 440 Hz on the left, caller A-law 1050 Hz on the right`, async () => {
    const r = await startRecorder();
    const c = await SipConnection.open(transport, r.port);
    try {
      const d = await invite(c, { sessionId: `call-${transport}`, agent, other, codecs: ['PCMU', 'PCMA'] });
      assert.equal(d.rtpPorts.length, 2);
      assert.match(d.answer.body, /a=recvonly/);
      await r.sink.until(() => r.sink.events.length === 1, 'call.started');
      const started = r.sink.events[0];
      assert.equal(started?.type, 'call.started');
      assert.equal(started?.callId, `call-${transport}`);
      assert.deepEqual(started?.agent, { by: 'extension', value: '1001' });
      assert.equal(started?.at.toISOString(), '2026-12-01T10:00:00.000Z');
      await sendRtp([
        { port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 50 },
        { port: d.rtpPorts[1] as number, codec: 'PCMA', frequency: 1050, packets: 50 },
      ]);
      await new Promise((res) => setTimeout(res, 100));
      const answer = await bye(c, d);
      assert.equal(answer.status, 200);
      await r.sink.until(() => r.sink.ended(`call-${transport}`) !== undefined, 'call.ended');
      const ended = r.sink.ended(`call-${transport}`);
      assert.deepEqual(ended?.agent, { by: 'extension', value: '1001' });
      assert.equal(ended?.audio?.contentType, 'audio/wav');
      const wav = await readWav(ended?.audio?.path as string);
      assert.equal(wav.channels, 2);
      assert.equal(wav.sampleRate, 8000);
      const [left, right] = wav.samples as [Int16Array, Int16Array];
      assert.ok(loudSamples(left) >= 7500, `left has ${loudSamples(left)} loud samples, 8000 sent`);
      assert.ok(loudSamples(right) >= 7500, `right has ${loudSamples(right)} loud samples, 8000 sent`);
      assert.ok(toneShare(left, 440) > 0.9, `left is 440 Hz (${toneShare(left, 440)})`);
      assert.ok(toneShare(right, 1050) > 0.9, `right is 1050 Hz (${toneShare(right, 1050)})`);
      assert.ok(toneShare(left, 1050) < 0.05, 'no caller audio on the agent channel');
      assert.deepEqual(r.sink.problems, []);
    } finally {
      await c.close();
      await r.stop();
    }
  });
}

test.run();
