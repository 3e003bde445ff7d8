import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { test } from 'uvu';
import { startRecorder } from './helpers/recorder.js';
import { bye, invite, SipConnection, sendRtp } from './helpers/siprec-client.js';
import { loudSamples, readWav, toneShare } from './helpers/wav-read.js';

const agent = { aor: 'sip:1001@pbx.example.com', name: 'Ann Agent' };
const other = { aor: 'sip:+15551234567@carrier.example', name: 'Caller' };

/** A real Opus RTP sender: ffmpeg's libopus, 20 ms frames, payload type 111, at real-time pace. */
async function sendOpus(port: number, frequency: number, seconds: number): Promise<void> {
  const child = spawn(
    ffmpeg.path,
    [
      ...['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi'],
      ...['-i', `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`],
      ...['-c:a', 'libopus', '-ac', '1', '-b:a', '32k', '-frame_duration', '20', '-application', 'voip'],
      ...['-payload_type', '111', '-f', 'rtp', `rtp://127.0.0.1:${port}`],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, `ffmpeg failed: ${stderr}`);
}

test('an Opus stream (RFC 7587) is decoded into the WAV beside a G.711 one', async () => {
  const r = await startRecorder();
  const c = await SipConnection.open('udp', r.port);
  try {
    const d = await invite(c, { sessionId: 'call-opus', agent, other, codecs: ['opus', 'PCMU'] });
    assert.match(d.answer.body, /a=rtpmap:111 opus\/48000\/2/);
    assert.match(d.answer.body, /a=rtpmap:0 PCMU\/8000/);
    await r.sink.until(() => r.sink.events.length === 1, 'call.started');
    await Promise.all([
      sendOpus(d.rtpPorts[0] as number, 440, 2),
      // Paced like the Opus sender: a 2 s burst would not fit the jitter buffer.
      sendRtp([{ port: d.rtpPorts[1] as number, codec: 'PCMU', frequency: 1050, packets: 100 }], 20),
    ]);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal((await bye(c, d)).status, 200);
    await r.sink.until(() => r.sink.ended('call-opus') !== undefined, 'call.ended');
    const wav = await readWav(r.sink.ended('call-opus')?.audio?.path as string);
    assert.equal(wav.sampleRate, 8000);
    const [left, right] = wav.samples as [Int16Array, Int16Array];
    // 2 s at 8 kHz is 16,000 samples; libopus's start-up (pre-skip) costs a few ms of them.
    assert.ok(loudSamples(left) >= 15_000, `left has ${loudSamples(left)} loud samples of 16000`);
    assert.ok(toneShare(left, 440) > 0.9, `left is 440 Hz (${toneShare(left, 440)})`);
    assert.ok(toneShare(left, 1050) < 0.05, 'no caller audio on the agent channel');
    assert.ok(toneShare(right, 1050) > 0.9, `right is 1050 Hz (${toneShare(right, 1050)})`);
    assert.deepEqual(r.sink.problems, []);
  } finally {
    await c.close();
    await r.stop();
  }
});

test.run();
