// Agent resource use (Linux /proc): idle, and during a 1920x1080 capture at 5 fps of ffmpeg's test source,
// against ffmpeg alone with the very same arguments in the same run. `npm run bench` in agent/.
//   BENCH_SECONDS=10 (each phase)   BENCH_EXECUTABLE=build/linux-x64/deskrec-agent (the single executable
//   instead of node + dist). A bare Node process is measured too: the floor any Node agent starts from.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RealHost, startRealHost, until } from '../test/support/real-host.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const TICKS = 100; // USER_HZ on Linux
const bin = fileURLToPath(new URL('../dist/bin/deskrec-agent.js', import.meta.url));

/** CPU seconds of the process itself (not its children) and its resident set, from /proc. */
function sample(pid: number): { cpu: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
  const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpu, rssMb: Number(rss) / 1024 };
}

/** CPU share of one core and peak RSS over `seconds`, sampled every 250 ms. */
async function measure(pids: number[], seconds: number) {
  const start = pids.map(sample);
  const peak = start.map((s) => s.rssMb);
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    pids.forEach((pid, i) => {
      peak[i] = Math.max(peak[i]!, sample(pid).rssMb);
    });
  }
  const wall = (performance.now() - t0) / 1000;
  return pids.map((pid, i) => ({
    cpuPct: ((sample(pid).cpu - start[i]!.cpu) / wall) * 100,
    peakRssMb: peak[i]!,
  }));
}

const childrenOf = (pid: number) =>
  fs
    .readdirSync(`/proc/${pid}/task`)
    .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);

let h: RealHost | undefined;
let agent: ChildProcess | undefined;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-agent-bench-'));
try {
  h = await startRealHost();
  await h.api('POST', '/api/users', {
    name: 'Bench',
    screenRecordingLogin: 'BENCH\\agent',
    seatLicence: true,
    extensions: ['3001'],
  });
  const settings = await h.api('GET', '/api/settings');
  await h.api('PUT', '/api/settings', {
    ...settings.body,
    fps: 5,
    maxWidth: 1920,
    maxHeight: 1080,
    wrapUpSeconds: 0,
    maxFileSeconds: 60,
  });
  const dataDir = path.join(root, 'agent');
  fs.mkdirSync(dataDir);
  const config = path.join(dataDir, 'agent.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      controller: { primary: `127.0.0.1:${h.port('tcp')}` },
      tenantToken: h.token,
      dataDir,
      login: 'BENCH\\agent',
      computerName: 'BENCH-PC',
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 1920, height: 1080 }] } },
      upload: { minFreeDiskMb: 0 },
    }),
  );
  const exe = process.env.BENCH_EXECUTABLE;
  agent = exe
    ? spawn(path.resolve(exe), ['run', '--config', config], { stdio: 'ignore' })
    : spawn(process.execPath, [bin, 'run', '--config', config], { stdio: 'ignore' });
  const pending = await until(
    'pending',
    async () => (await h!.api('GET', '/api/workstations?state=pending')).body.items[0],
  );
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('authorized', async () => {
    const file = path.join(dataDir, 'status.json');
    return fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).state === 'authorized';
  });
  await new Promise((r) => setTimeout(r, 2000)); // start-up work done
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const [idle, bareNode] = await measure([agent.pid!, bare.pid!], SECONDS);
  bare.kill();

  const call = {
    callId: 'bench-1',
    direction: 'inbound',
    agent: { by: 'extension', value: '3001' },
    from: { number: '1' },
  };
  await h.postCallEvent({ ...call, type: 'call.started', at: new Date().toISOString() });
  const ffmpegPid = await until('ffmpeg under the agent', async () => childrenOf(agent!.pid!)[0], 30_000);
  const args = fs.readFileSync(`/proc/${ffmpegPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  await new Promise((r) => setTimeout(r, 1000)); // encoder warmed up
  const [agentDuring, ffmpegUnderAgent] = await measure([agent.pid!, ffmpegPid], SECONDS);
  await h.postCallEvent({ ...call, type: 'call.ended', at: new Date().toISOString() });
  await until(
    'recording stored',
    async () => {
      const row = await h!.host
        .services()
        .database.db.selectFrom('recordings')
        .selectAll()
        .executeTakeFirst();
      return row?.state === 'stored';
    },
    60_000,
  );

  // The same ffmpeg command, alone: its output into another folder.
  const aloneDir = path.join(root, 'alone');
  fs.mkdirSync(aloneDir);
  const alone = spawn(
    args[0]!,
    args.slice(1).map((a) => a.replace(/^.*[/\\](spool|captures)[/\\].*?([^/\\]+)$/, `${aloneDir}/$2`)),
    {
      cwd: aloneDir,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  await new Promise((r) => setTimeout(r, 1000));
  const [ffmpegAlone] = await measure([alone.pid!], SECONDS);
  alone.stdin!.end('q');
  await new Promise((r) => alone.once('exit', r));

  const f = (n: number) => n.toFixed(2);
  const rows = [
    ['bare Node (setInterval only)', f(bareNode!.cpuPct), f(bareNode!.peakRssMb)],
    ['agent idle (connected, authorized)', f(idle!.cpuPct), f(idle!.peakRssMb)],
    ['agent during 1080p 5 fps capture (own process)', f(agentDuring!.cpuPct), f(agentDuring!.peakRssMb)],
    ['ffmpeg under the agent', f(ffmpegUnderAgent!.cpuPct), f(ffmpegUnderAgent!.peakRssMb)],
    ['ffmpeg alone, same arguments', f(ffmpegAlone!.cpuPct), f(ffmpegAlone!.peakRssMb)],
  ];
  console.log(
    `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${SECONDS} s per phase\n`,
  );
  console.log('| process | CPU % of one core | peak RSS MB |\n| --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const total = agentDuring!.cpuPct + ffmpegUnderAgent!.cpuPct;
  console.log(
    `\nagent + its ffmpeg vs ffmpeg alone: ${f(total)} % vs ${f(ffmpegAlone!.cpuPct)} % (ratio ${(total / ffmpegAlone!.cpuPct).toFixed(3)}); agent beyond ffmpeg ${f(agentDuring!.cpuPct)} % of a core (target ≤ 0.5), agent RSS ${f(agentDuring!.peakRssMb)} MB (target ≤ 50)`,
  );
  console.log(`ffmpeg: ${args.slice(1).join(' ')}`);
} finally {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
  }
  await h?.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
