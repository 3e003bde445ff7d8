import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { mountTmpfs, remount, spoolRig, unmount } from './support/spool-rig.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mounts: string[] = [];
test.after(async () => {
  for (const dir of mounts) await unmount(dir);
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const ro = await mountTmpfs(8 * 1024);
const roTest = 'skip' in ro ? test.skip : test;
roTest(
  `a read-only spool at call start refuses the capture, is reported, and captures resume when it is writable${'skip' in ro ? ` (skipped: ${ro.skip})` : ''}`,
  async () => {
    if ('skip' in ro) return;
    mounts.push(ro.dir);
    const rig = await spoolRig(ro.dir);
    await rig.spool.probeWritable(); // the spool folder exists, as on a workstation that recorded before
    remount(ro.dir, 'ro');
    await rig.start('cap-ro');
    const refused = rig.sent.find((m) => m.type === 'capture.refused');
    assert.ok(refused && refused.type === 'capture.refused', 'the host hears the capture was refused');
    assert.match(refused.reason, /spool cannot take the capture: .*read-only/i);
    assert.deepEqual(
      rig.reports().map((r) => r.type === 'spool.report' && r.kind),
      ['spool-unwritable'],
    );
    assert.equal(rig.runner.activeCaptureId, undefined);

    remount(ro.dir, 'rw');
    await rig.health.check();
    assert.deepEqual(
      rig.reports().map((r) => r.type === 'spool.report' && r.kind),
      ['spool-unwritable', 'spool-ok'],
    );
    await rig.start('cap-ro-2');
    assert.equal(rig.runner.activeCaptureId, 'cap-ro-2', 'the next call records');
    await sleep(1500);
    await rig.runner.stop('call ended');
    await until('the host to hear the capture stopped', () =>
      rig.sent.some((m) => m.type === 'capture.stopped' && m.captureId === 'cap-ro-2'),
    );
    const pending = await rig.spool.pending();
    assert.ok(pending.length >= 1, 'its segment waits in the spool for upload');
    await rig.uploader.stop();
  },
);

const small = await mountTmpfs(2 * 1024);
const fullTest = 'skip' in small ? test.skip : test;
fullTest(
  `a spool that fills during a host outage is reported when the host is back; its files are all accounted for once the disk is${'skip' in small ? ` (skipped: ${small.skip})` : ''}`,
  async () => {
    if ('skip' in small) return;
    mounts.push(small.dir);
    const rig = await spoolRig(small.dir);
    rig.outbox.offline(); // the host is away
    // Leave about 120 KiB: a few seconds of video fill it.
    const filler = path.join(small.dir, 'filler');
    await fs.writeFile(filler, Buffer.alloc(2 * 1024 * 1024 - 120 * 1024));
    await rig.start('cap-full');
    assert.equal(rig.runner.activeCaptureId, 'cap-full');
    await until('the capture to end on the full disk', () =>
      rig.sent.some((m) => m.type === 'capture.failed' || m.type === 'capture.stopped'),
    );
    if (rig.runner.activeCaptureId) await rig.runner.stop('call ended');
    // Recovery may discard the partial segment and so free some space: the state after it is not fixed,
    // but the spool-full report it left for the host is.
    await rig.recovered();
    await rig.health.check();
    assert.ok(rig.outbox.pending >= 1, 'the spool-full report waits for the host');
    assert.deepEqual(rig.reports(), [], 'nothing is sent while the host is away');

    await fs.rm(filler);
    await rig.health.check();
    await rig.recovered();
    rig.outbox.flush(); // the host is back
    const kinds = rig.reports().map((r) => r.type === 'spool.report' && r.kind);
    assert.equal(kinds[0], 'spool-full', `reports: ${kinds.join(', ')}`);
    assert.equal(kinds.at(-1), 'spool-ok');

    const dir = rig.spool.captureDir('cap-full');
    const files = (await fs.readdir(dir)).filter((n) => n.endsWith('.mp4'));
    const pending = await rig.spool.pending();
    const discarded = rig.reports().filter((r) => r.type === 'spool.report' && r.kind === 'file-discarded');
    assert.equal(files.length, pending.length, 'every file left in the spool is known and waits for upload');
    assert.ok(files.length + discarded.length >= 1, 'the capture wrote something');
    const indexes = pending.map((p) => p.segment.index);
    assert.equal(new Set(indexes).size, indexes.length, 'indexes are unique');
    await rig.uploader.stop();
  },
);

test.run();
