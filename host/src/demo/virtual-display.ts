import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { killOnExit } from './kill-on-exit.js';

export interface VirtualDisplay {
  /** X display name, e.g. ":42". */
  display: string;
  stop(): Promise<void>;
}

/** Whether a program is on PATH (the demo only uses Xvfb when it is installed). */
export function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** The first display number without an X lock file, so the demo never takes over a running server. */
function freeDisplayNumber(): number {
  for (let n = 90; n < 190; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error('no free X display number between :90 and :189');
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function waitForSocket(n: number, xvfb: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (xvfb.exitCode !== null) throw new Error(`Xvfb :${n} exited with code ${xvfb.exitCode}`);
    if (Date.now() > deadline) throw new Error(`Xvfb :${n} did not open its socket within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts Xvfb on a free display with something moving on it (a clock and a terminal running top), so the
 * recordings show more than a black screen.
 */
export async function startVirtualDisplay(size = { width: 1280, height: 720 }): Promise<VirtualDisplay> {
  const n = freeDisplayNumber();
  const display = `:${n}`;
  const xvfb = spawn(
    'Xvfb',
    [display, '-screen', '0', `${size.width}x${size.height}x24`, '-nolisten', 'tcp', '-noreset'],
    { stdio: 'ignore', detached: true },
  );
  killOnExit(xvfb);
  await waitForSocket(n, xvfb);
  const env = { ...process.env, DISPLAY: display };
  const clients: ChildProcess[] = [];
  if (onPath('xclock')) {
    clients.push(
      spawn('xclock', ['-update', '1', '-geometry', '220x220+20+20'], {
        env,
        stdio: 'ignore',
        detached: true,
      }),
    );
  }
  if (onPath('xterm')) {
    clients.push(
      spawn('xterm', ['-geometry', '100x30+260+20', '-e', 'top', '-d', '1'], {
        env,
        stdio: 'ignore',
        detached: true,
      }),
    );
  }
  for (const client of clients) {
    client.on('error', () => undefined);
    killOnExit(client);
  }
  return {
    display,
    async stop() {
      await Promise.all(clients.map(stopChild));
      await stopChild(xvfb);
    },
  };
}
