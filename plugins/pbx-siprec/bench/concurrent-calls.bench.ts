/**
 * Concurrent G.711 calls one recorder process takes with no RTP packet lost, against a bare UDP receiver
 * (sockets that decode the same payloads and write the same number of bytes, nothing else) in the same run.
 *
 *   npm run bench            # steps of 500, 1000 and 1500 calls, 5 s each, two sender processes
 *   BENCH_STEPS=500,1000 BENCH_SECONDS=5 BENCH_SENDERS=2 npm run bench
 *
 * Processes: this one (the SRC's signalling over TCP, idle while measuring), the receiver under test, and
 * BENCH_SENDERS senders (default 2), each playing 20 ms packets for its share of the streams on an absolute
 * 20 ms schedule. A receiver's count is read once it stands still, so a receiver that fell behind is not
 * charged with packets still waiting in its sockets; packets the recorder got too late to write count as lost.
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { silentLogger, systemClock } from '@deskrec/core';
import { SiprecOptionsSchema, SiprecSource, ULAW_TABLE } from '../src/index.js';
import { bye, type Dialog, invite, SipConnection } from '../test/helpers/siprec-client.js';

type Msg =
  | { type: 'ready'; sipPort?: number; ports?: number[] }
  | { type: 'stats'; packets: number; late: number; cpuMs: number; rssMb: number }
  | { type: 'sent'; packets: number; failed: number; behindMs: number; elapsedMs: number };

const self = fileURLToPath(import.meta.url);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 2);
const role = process.argv[2];
const send = (m: Msg) => process.send?.(m);

function onceMessage<T extends Msg['type']>(
  child: { once(e: 'message', f: (m: Msg) => void): unknown },
  type: T,
): Promise<Extract<Msg, { type: T }>> {
  return new Promise((resolve) => {
    const take = (m: Msg) => {
      if (m.type === type) resolve(m as Extract<Msg, { type: T }>);
      else child.once('message', take);
    };
    child.once('message', take);
  });
}

// ---- receiver: the recorder
async function siprecRole(dir: string): Promise<void> {
  const source = new SiprecSource(
    SiprecOptionsSchema.parse({
      host: '127.0.0.1',
      port: 0,
      udp: false,
      rtpPortMin: 30000,
      rtpPortMax: 39999,
      recordingsDir: dir,
      maxCalls: 5000,
      rtpTimeoutSeconds: 60,
    }),
    { clock: systemClock, logger: silentLogger, dataDir: dir },
  );
  await source.start({ event: () => undefined, problem: () => undefined });
  let cpu = process.cpuUsage();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mark') cpu = process.cpuUsage();
    if (m.type === 'stats') {
      const used = process.cpuUsage(cpu);
      const s = source.stats();
      send({
        type: 'stats',
        packets: s.packets,
        late: s.late,
        cpuMs: (used.user + used.system) / 1000,
        rssMb: process.memoryUsage().rss / 2 ** 20,
      });
    }
    if (m.type === 'exit') void source.stop().then(() => process.exit(0));
  });
  send({ type: 'ready', sipPort: source.ports.tcp as number });
}

// ---- receiver: bare sockets, the same decoding and the same bytes to disk, no SIP, jitter buffer or WAV
async function bareRole(dir: string, calls: number): Promise<void> {
  const ports: number[] = [];
  const files: fs.FileHandle[] = [];
  const pending: Buffer[][] = [];
  let packets = 0;
  for (let c = 0; c < calls; c++) {
    files.push(await fs.open(path.join(dir, `bare-${c}.raw`), 'w'));
    pending.push([]);
    for (let s = 0; s < 2; s++) {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (data) => {
        packets++;
        const pcm = Buffer.allocUnsafe((data.length - 12) * 2);
        for (let i = 12; i < data.length; i++)
          pcm.writeInt16LE(ULAW_TABLE[data[i] as number] as number, (i - 12) * 2);
        pending[c]?.push(pcm);
      });
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      socket.setRecvBufferSize(256 * 1024);
      ports.push(socket.address().port);
    }
  }
  const positions = new Array<number>(calls).fill(0);
  setInterval(() => {
    for (let c = 0; c < calls; c++) {
      const chunks = pending[c] as Buffer[];
      if (!chunks.length) continue;
      const out = Buffer.concat(chunks);
      pending[c] = [];
      void (files[c] as fs.FileHandle).write(out, 0, out.length, positions[c]);
      positions[c] = (positions[c] as number) + out.length;
    }
  }, 100);
  let cpu = process.cpuUsage();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'mark') cpu = process.cpuUsage();
    if (m.type === 'stats') {
      const used = process.cpuUsage(cpu);
      send({
        type: 'stats',
        packets,
        late: 0,
        cpuMs: (used.user + used.system) / 1000,
        rssMb: process.memoryUsage().rss / 2 ** 20,
      });
    }
    if (m.type === 'exit') process.exit(0);
  });
  send({ type: 'ready', ports });
}

// ---- sender: 20 ms packets of 160 µ-law bytes to its share of the streams, on an absolute schedule
function senderRole(ports: number[], seconds: number): void {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1', () => {
    socket.setSendBufferSize(4 * 1024 * 1024);
    const payload = Buffer.alloc(160, 0x55);
    const begin = performance.now();
    const steps = seconds * 50;
    let sent = 0;
    let failed = 0;
    let behindMs = 0;
    let step = 0;
    const onSent = (error: Error | null) => {
      if (error) failed++;
    };
    const tick = () => {
      behindMs = Math.max(behindMs, performance.now() - (begin + step * 20));
      for (let i = 0; i < ports.length; i++) {
        // A packet of its own each time: the send is queued until the address is looked up.
        const packet = Buffer.allocUnsafe(172);
        packet[0] = 0x80;
        packet[1] = 0;
        packet.writeUInt16BE(step & 0xffff, 2);
        packet.writeUInt32BE((step * 160) >>> 0, 4);
        packet.writeUInt32BE(ports[i] as number, 8);
        payload.copy(packet, 12);
        socket.send(packet, ports[i] as number, '127.0.0.1', onSent);
        sent++;
      }
      step++;
      if (step < steps) setTimeout(tick, Math.max(0, begin + step * 20 - performance.now()));
      else {
        setTimeout(() => {
          const elapsedMs = performance.now() - begin;
          socket.close(() => send({ type: 'sent', packets: sent - failed, failed, behindMs, elapsedMs }));
        }, 200);
      }
    };
    tick();
  });
}

interface StepResult {
  receiver: 'siprec' | 'bare';
  calls: number;
  sent: number;
  received: number;
  lost: number;
  late: number;
  cpuPercent: number;
  cpuUsPerPacket: number;
  rssMb: number;
  senderBehindMs: number;
  /** Calls' worth of packets per second actually sent (100 packets/s per call): the sender can fall behind. */
  realTimeCalls: number;
}

async function step(receiver: 'siprec' | 'bare', calls: number, seconds: number): Promise<StepResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `siprec-bench-${receiver}-`));
  const child = fork(self, [receiver, dir, String(calls)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const ready = await onceMessage(child, 'ready');
  let ports = ready.ports ?? [];
  const conns: SipConnection[] = [];
  const dialogs: Dialog[] = [];
  if (receiver === 'siprec') {
    // Several TCP connections, as SBCs use a few: INVITEs in batches.
    for (let i = 0; i < 8; i++) conns.push(await SipConnection.open('tcp', ready.sipPort as number));
    for (let i = 0; i < calls; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, calls - i) }, (_, j) =>
          invite(conns[(i + j) % conns.length] as SipConnection, {
            sessionId: `bench-${i + j}`,
            agent: { aor: `sip:${1000 + i + j}@pbx.example.com` },
            other: { aor: 'sip:+15550000000@carrier.example' },
            codecs: ['PCMU', 'PCMU'],
          }),
        ),
      );
      dialogs.push(...batch);
    }
    ports = dialogs.flatMap((d) => d.rtpPorts);
  }
  child.send({ type: 'mark' });
  // Several sender processes, each with its share of the streams, so the sender is less often the limit.
  const senders = Array.from({ length: SENDERS }, (_, k) =>
    fork(self, ['sender', JSON.stringify(ports.filter((_, i) => i % SENDERS === k)), String(seconds)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    }),
  );
  const reports = await Promise.all(senders.map((s) => onceMessage(s, 'sent')));
  const sent = {
    packets: reports.reduce((n, r) => n + r.packets, 0),
    behindMs: Math.max(...reports.map((r) => r.behindMs)),
    elapsedMs: Math.max(...reports.map((r) => r.elapsedMs)),
  };
  // A receiver that fell behind still has packets waiting in its sockets: count until the count stands still.
  let stats: Extract<Msg, { type: 'stats' }> | undefined;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 300));
    child.send({ type: 'stats' });
    const now = await onceMessage(child, 'stats');
    const still = stats?.packets === now.packets;
    stats = now;
    if (still) break;
  }
  if (!stats) throw new Error('no stats');
  for (const [i, d] of dialogs.entries())
    await bye(conns[i % conns.length] as SipConnection, d).catch(() => undefined);
  for (const c of conns) await c.close();
  child.send({ type: 'exit' });
  await new Promise((r) => child.once('exit', r));
  await fs.rm(dir, { recursive: true, force: true });
  const received = stats.packets - stats.late;
  return {
    receiver,
    calls,
    sent: sent.packets,
    received,
    lost: sent.packets - received,
    late: stats.late,
    cpuPercent: Math.round((stats.cpuMs / (sent.elapsedMs + 300)) * 100),
    cpuUsPerPacket: Number(((stats.cpuMs * 1000) / Math.max(1, received)).toFixed(1)),
    rssMb: Math.round(stats.rssMb),
    senderBehindMs: Math.round(sent.behindMs),
    realTimeCalls: Math.round(sent.packets / (sent.elapsedMs / 1000) / 100),
  };
}

async function main(): Promise<void> {
  const steps = (process.env.BENCH_STEPS ?? '500,1000,1500').split(',').map(Number);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`${seconds} s per step, 2 streams per call, 50 packets/s per stream\n`);
  console.log(
    'receiver  calls  real-time calls     sent  received  lost (late)  receiver CPU  CPU µs/packet  RSS MB  sender behind ms',
  );
  const best: Record<string, number> = { siprec: 0, bare: 0 };
  const cost: Record<string, number> = { siprec: 0, bare: 0 };
  const only = process.env.BENCH_ONLY;
  for (const receiver of (['bare', 'siprec'] as const).filter((r) => !only || r === only)) {
    for (const calls of steps) {
      const r = await step(receiver, calls, seconds);
      console.log(
        `${r.receiver.padEnd(8)} ${String(r.calls).padStart(6)} ${String(r.realTimeCalls).padStart(16)} ${String(r.sent).padStart(8)} ${String(r.received).padStart(9)} ${String(r.lost).padStart(5)} ${`(${r.late})`.padStart(6)} ${`${r.cpuPercent} %`.padStart(13)} ${String(r.cpuUsPerPacket).padStart(14)} ${String(r.rssMb).padStart(7)} ${String(r.senderBehindMs).padStart(17)}`,
      );
      if (r.lost > 0) break;
      best[receiver] = calls;
      cost[receiver] = r.cpuUsPerPacket;
    }
  }
  const ratio = best.bare ? (best.siprec as number) / (best.bare as number) : 0;
  console.log(
    `\nmost calls with no packet lost: siprec ${best.siprec}, bare ${best.bare}${best.bare === steps[steps.length - 1] ? ' (the largest step: bare did not reach its limit)' : ''}; ratio ${ratio.toFixed(2)}`,
  );
}

if (role === 'siprec') void siprecRole(process.argv[3] as string);
else if (role === 'bare') void bareRole(process.argv[3] as string, Number(process.argv[4]));
else if (role === 'sender')
  senderRole(JSON.parse(process.argv[3] as string) as number[], Number(process.argv[4]));
else await main();
