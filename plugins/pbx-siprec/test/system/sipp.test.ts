import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import type { SiprecOptionsInput } from '../../src/index.js';
import { writeTonePcap } from '../helpers/pcap.js';
import { type Running, startRecorder } from '../helpers/recorder.js';
import { loudSamples, readWav, toneShare } from '../helpers/wav-read.js';

// Debian's sipp (package sip-tester) playing real SIPREC INVITE scenarios with RTP from pcap files.
const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
const DEBIAN_PCAP = '/usr/share/sip-tester/g711a.pcap';
const hasSipp = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
const sipp = suite('pbx-siprec: sipp (sip-tester) as the SRC');

/** A free even UDP port pair for sipp's media (it sends from port and port + 2). */
async function freePort(): Promise<number> {
  for (;;) {
    const s = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) =>
      s.bind(0, '127.0.0.1', () => resolve(s.address().port)),
    );
    await new Promise<void>((r) => s.close(() => r()));
    if (port % 2 === 0 && port < 65000) return port;
  }
}

interface SippRun {
  code: number;
  pid: number;
  output: string;
}

async function runSipp(
  r: Running,
  scenario: string,
  opts: { transport: 'u1' | 't1'; calls?: number; pcap: string; pauseMs: number },
): Promise<SippRun> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-sipp-'));
  await fs.copyFile(opts.pcap, path.join(work, 'audio.pcap'));
  const calls = opts.calls ?? 1;
  const port = opts.transport === 't1' ? r.source.ports.tcp : r.source.ports.udp;
  const args = [
    `127.0.0.1:${port}`,
    '-sf',
    path.join(scenarios, scenario),
    '-t',
    opts.transport,
    '-i',
    '127.0.0.1',
    '-mi',
    '127.0.0.1',
    '-p',
    String(await freePort()),
    '-mp',
    String(await freePort()),
    '-m',
    String(calls),
    '-l',
    String(calls),
    '-r',
    String(Math.max(calls, 1)),
    '-rp',
    '1000',
    '-d',
    String(opts.pauseMs),
    '-nostdin',
    '-timeout',
    '60s',
    '-timeout_error',
    '-trace_err',
    '-error_file',
    path.join(work, 'errors.log'),
  ];
  const child = spawn('sipp', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  });
  child.stderr.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const errors = await fs.readFile(path.join(work, 'errors.log'), 'utf8').catch(() => '');
  await fs.rm(work, { recursive: true, force: true });
  return { code, pid: child.pid ?? 0, output: `${output}\n${errors.slice(0, 4000)}` };
}

async function withRecorder(options: SiprecOptionsInput, body: (r: Running) => Promise<void>): Promise<void> {
  const r = await startRecorder(options);
  try {
    await body(r);
  } finally {
    await r.stop();
  }
}

let tonePcap = '';

// play_pcap_audio sends through a raw socket, which needs root (CI runs as root).
const isRoot = process.getuid?.() === 0;

if (!hasSipp || !isRoot || process.env.DESKREC_TEST_SYSTEM !== '1') {
  sipp.skip(
    'sipp scenarios (needs DESKREC_TEST_SYSTEM=1, Debian sip-tester, and root for pcap play)',
    () => {},
  );
} else {
  sipp.before(async () => {
    tonePcap = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-pcap-')), 'tone-440.pcap');
    await writeTonePcap(tonePcap, 2);
  });
  sipp.after(async () => {
    await fs.rm(path.dirname(tonePcap), { recursive: true, force: true });
  });

  sipp('1 call over UDP: events for agent 71, the pcap tone on the agent channel', async () => {
    await withRecorder({}, async (r) => {
      const run = await runSipp(r, 'siprec-call.xml', { transport: 'u1', pcap: tonePcap, pauseMs: 2200 });
      assert.equal(run.code, 0, run.output);
      const id = `sipp-${run.pid}-1`;
      await r.sink.until(() => r.sink.ended(id) !== undefined, 'call.ended');
      assert.deepEqual(
        r.sink.events.map((e) => `${e.type} ${e.callId} ${e.agent.value}`),
        [`call.started ${id} 71`, `call.ended ${id} 71`],
      );
      const wav = await readWav(r.sink.ended(id)?.audio?.path as string);
      const left = wav.samples[0] as Int16Array;
      assert.ok(loudSamples(left) > 15_000, `2 s of tone (${loudSamples(left)} loud samples)`);
      assert.ok(toneShare(left, 440) > 0.9, `440 Hz (${toneShare(left, 440)})`);
      assert.equal(loudSamples(wav.samples[1] as Int16Array), 0, 'nothing was sent on the other stream');
    });
  });

  sipp("1 call over TCP with sip-tester's own g711a.pcap (A-law, 7 s)", async () => {
    await withRecorder({}, async (r) => {
      const run = await runSipp(r, 'siprec-call-alaw.xml', {
        transport: 't1',
        pcap: DEBIAN_PCAP,
        pauseMs: 7300,
      });
      assert.equal(run.code, 0, run.output);
      const id = `sipp-${run.pid}-1`;
      await r.sink.until(() => r.sink.ended(id) !== undefined, 'call.ended');
      const wav = await readWav(r.sink.ended(id)?.audio?.path as string);
      assert.ok(loudSamples(wav.samples[0] as Int16Array, 50) > 8000 * 3, 'seconds of the pcap’s audio');
    });
  });

  sipp('50 concurrent calls: 50 starts and ends, every file holds the tone', async () => {
    await withRecorder({}, async (r) => {
      const run = await runSipp(r, 'siprec-call.xml', {
        transport: 'u1',
        calls: 50,
        pcap: tonePcap,
        pauseMs: 2200,
      });
      assert.equal(run.code, 0, run.output);
      await r.sink.until(
        () => r.sink.events.filter((e) => e.type === 'call.ended').length === 50,
        '50 ends',
        30_000,
      );
      assert.equal(r.sink.events.filter((e) => e.type === 'call.started').length, 50);
      for (const ended of r.sink.events.filter((e) => e.type === 'call.ended')) {
        const left = (await readWav(ended.audio?.path as string)).samples[0] as Int16Array;
        assert.ok(toneShare(left, 440) > 0.9, `${ended.callId}: 440 Hz (${toneShare(left, 440)})`);
        assert.ok(loudSamples(left) > 15_000, `${ended.callId}: 2 s of tone (${loudSamples(left)})`);
      }
    });
  });

  sipp('re-INVITE mid-call: one session, one start and one end, both plays recorded', async () => {
    await withRecorder({}, async (r) => {
      const run = await runSipp(r, 'siprec-reinvite.xml', { transport: 'u1', pcap: tonePcap, pauseMs: 2200 });
      assert.equal(run.code, 0, run.output);
      const id = `sipp-${run.pid}-1`;
      await r.sink.until(() => r.sink.ended(id) !== undefined, 'call.ended');
      assert.equal(r.sink.events.length, 2);
      const left = (await readWav(r.sink.ended(id)?.audio?.path as string)).samples[0] as Int16Array;
      assert.ok(loudSamples(left) > 30_000, `two plays of 2 s (${loudSamples(left)} loud samples)`);
    });
  });

  sipp('a sender that disappears: RTP timeout ends the call and the recorder sends BYE', async () => {
    await withRecorder({ rtpTimeoutSeconds: 1 }, async (r) => {
      const run = await runSipp(r, 'siprec-disappear.xml', {
        transport: 'u1',
        pcap: tonePcap,
        pauseMs: 2200,
      });
      assert.equal(run.code, 0, `sipp got the BYE and answered it: ${run.output}`);
      const id = `sipp-${run.pid}-1`;
      await r.sink.until(() => r.sink.ended(id) !== undefined, 'call.ended');
      assert.equal(r.sink.ended(id)?.reason, 'rtp timeout');
    });
  });

  sipp('malformed SIP: 400 for each, never a crash; OPTIONS answered after', async () => {
    await withRecorder({}, async (r) => {
      for (const transport of ['u1', 't1'] as const) {
        const run = await runSipp(r, 'malformed.xml', { transport, pcap: tonePcap, pauseMs: 0 });
        assert.equal(run.code, 0, run.output);
      }
      assert.equal(r.sink.events.length, 0);
      assert.ok(r.sink.problems.length >= 6, `reported: ${r.sink.problems.length}`);
    });
  });
}

sipp.run();
