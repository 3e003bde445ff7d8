import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Spool } from '../../src/spool/spool.js';

/** A fresh spool holding one finished 5-byte segment of capture `captureId`, to be uploaded to `uploadUrl`. */
export async function oneSpooledSegment(captureId: string, uploadUrl: string) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `deskrec-${captureId}-`));
  const spool = new Spool(path.join(root, 'spool'));
  const dir = await spool.beginCapture({
    captureId,
    recordingId: `rec-${captureId}`,
    uploadToken: 't'.repeat(43),
    uploadUrl,
    startedAt: new Date().toISOString(),
    monitors: ['0'],
  });
  const file = path.join(dir, `${captureId}-m0-00000.mp4`);
  fs.writeFileSync(file, 'video');
  const item = await spool.addSegment(
    {
      captureId,
      index: 0,
      monitorId: '0',
      fileName: path.basename(file),
      startedAt: new Date().toISOString(),
      durationMs: 1000,
      bytes: 5,
      sha256: 'a'.repeat(64),
    },
    file,
  );
  return { root, spool, dir, file, item, stateDir: path.join(root, 'state') };
}
