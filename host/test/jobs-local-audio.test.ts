import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import {
  callRow,
  eventually,
  type OrchestratorHost,
  startOrchestratorHost,
} from './support/orchestrator-host.js';

let h: OrchestratorHost;

test.before(async () => {
  h = await startOrchestratorHost();
});
test.after(async () => {
  await h.stop();
});

const call = (
  type: 'call.started' | 'call.ended',
  callId: string,
  audio?: { path: string; contentType: string },
) => ({
  type,
  callId,
  at: h.clock.now().toISOString(),
  agent: { by: 'extension' as const, value: '7001' },
  ...(audio ? { audio } : {}),
});

test('a file the source recorded on this host (SIPREC) is stored, linked to the call and removed', async () => {
  const folder = path.join(h.dataDir, 'plugins', 'call-events-crm', 'recordings');
  await fs.mkdir(folder, { recursive: true });
  const wav = path.join(folder, 'siprec-1.wav');
  const bytes = randomBytes(64 * 1024);
  await fs.writeFile(wav, bytes);
  await h.inject(call('call.started', 'siprec-1'));
  await h.inject(call('call.ended', 'siprec-1', { path: wav, contentType: 'audio/wav' }));
  const row = await eventually('the audio to be stored', async () => {
    await h.runDueJobs();
    const found = await callRow(h, 'siprec-1');
    return found?.audio_key ? found : undefined;
  });
  assert.match(row.audio_key!, /-audio\.wav$/);
  assert.equal(row.audio_fetch, `recorded by the source, ${bytes.length} bytes stored`);
  const stored = path.join(h.dataDir, 'recordings', ...row.audio_key!.split('/'));
  assert.deepEqual(await fs.readFile(stored), bytes);
  await assert.rejects(fs.stat(wav), 'the source file is removed once stored');
});

test('a path outside the source folders is refused and the file left alone', async () => {
  const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-not-audio-'));
  const secret = path.join(elsewhere, 'secret.wav');
  await fs.writeFile(secret, 'do not publish');
  const sneaky = path.join(
    h.dataDir,
    'plugins',
    'call-events-crm',
    '..',
    '..',
    '..',
    path.basename(elsewhere),
    'secret.wav',
  );
  await h.inject(call('call.started', 'siprec-2'));
  await h.inject(call('call.ended', 'siprec-2', { path: secret, contentType: 'audio/wav' }));
  await h.inject(call('call.started', 'siprec-3'));
  await h.inject(call('call.ended', 'siprec-3', { path: sneaky, contentType: 'audio/wav' }));
  for (const id of ['siprec-2', 'siprec-3']) {
    const row = await eventually(`the refusal of ${id}`, async () => {
      await h.runDueJobs();
      const found = await callRow(h, id);
      return found?.audio_fetch ? found : undefined;
    });
    assert.match(row.audio_fetch!, /^refused: .* is outside the folders of source crm$/);
    assert.equal(row.audio_key, null);
  }
  assert.equal(await fs.readFile(secret, 'utf8'), 'do not publish');
  await fs.rm(elsewhere, { recursive: true, force: true });
});

test.run();
