import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killOnExit } from './kill-on-exit.js';

/** Same depth from src/demo (tests under tsx) and dist/demo (the built CLI). */
const AGENT_CLI = fileURLToPath(new URL('../../../agent/dist/bin/deskrec-agent.js', import.meta.url));

export const DEMO_LOGIN = 'DEMO\\agent';
export const DEMO_COMPUTER = 'DEMO-PC';

export interface DemoAgentOptions {
  dataDir: string;
  controllerPort: number;
  tenantToken: string;
  /** x11grab on this display; the lavfi test source when absent. */
  display?: string;
}

export interface DemoAgent {
  child: ChildProcess;
  /** Recent agent output, for the error when something goes wrong. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the real agent CLI as a child process, logged in as the demo user. */
export async function startDemoAgent(options: DemoAgentOptions): Promise<DemoAgent> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const capture = options.display
    ? { use: 'ffmpeg', options: { input: 'x11grab', display: options.display } }
    : { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 1280, height: 720 }] } };
  const configFile = path.join(options.dataDir, 'agent.json');
  // Holds the tenant token: readable by this user only.
  await fs.writeFile(
    configFile,
    JSON.stringify(
      {
        controller: { primary: `127.0.0.1:${options.controllerPort}` },
        tenantToken: options.tenantToken,
        dataDir: options.dataDir,
        login: DEMO_LOGIN,
        computerName: DEMO_COMPUTER,
        capture,
        upload: { minFreeDiskMb: 100, retryMaxSeconds: 5 },
        sessionPollSeconds: 1,
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  await fs.chmod(configFile, 0o600);
  // Its own process group: Ctrl-C reaches the demo only, which then stops the agent (and its ffmpeg) in order.
  const child = spawn(process.execPath, [AGENT_CLI, 'run', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killOnExit(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`${error.message}\n`)));
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // The agent finishes its capture and exits on SIGTERM; a hung one is killed after 15 s.
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
