import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { test } from 'uvu';
import { startRecorder } from './helpers/recorder.js';
import { bye, first, invite, SipConnection, sendRtp } from './helpers/siprec-client.js';
import { readWav, toneShare } from './helpers/wav-read.js';

test('SIP over TLS: a recorded call with its audio, and the Contact says transport=tls', async () => {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-tls-'));
  await fs.writeFile(path.join(dir, 'cert.pem'), pems.cert);
  await fs.writeFile(path.join(dir, 'key.pem'), pems.private);
  const r = await startRecorder({
    udp: false,
    tcp: false,
    tls: { port: 0, certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') },
  });
  const c = await SipConnection.open('tls', r.source.ports.tls as number, pems.cert);
  try {
    assert.equal(r.source.ports.udp, undefined);
    const d = await invite(c, {
      sessionId: 'tls-1',
      agent: { aor: 'sips:1001@pbx.example.com' },
      other: { aor: 'sips:+15550001234@carrier.example' },
    });
    assert.match(first(d.answer, 'contact'), /;transport=tls>/);
    await sendRtp([{ port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 25 }]);
    assert.equal((await bye(c, d)).status, 200);
    await r.sink.until(() => r.sink.ended('tls-1') !== undefined, 'call.ended');
    const ended = r.sink.ended('tls-1');
    assert.equal(ended?.agent.value, '1001');
    const wav = await readWav(ended?.audio?.path as string);
    assert.ok(toneShare(wav.samples[0] as Int16Array, 440) > 0.9);
  } finally {
    await c.close();
    await r.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.run();
