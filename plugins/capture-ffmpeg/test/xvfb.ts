import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

export interface Xvfb {
  /** e.g. `:3`; the server picked a free display number itself (-displayfd). */
  display: string;
  run(command: string, args: string[]): ChildProcess;
  stop(): void;
}

/** Starts Debian's Xvfb with the given screens (`1920x1080x24`); -noreset keeps it up between clients. */
export async function startXvfb(screens: string[] = ['1920x1080x24']): Promise<Xvfb> {
  const screenArgs = screens.flatMap((s, i) => ['-screen', String(i), s]);
  const server = spawn('Xvfb', ['-displayfd', '1', ...screenArgs, '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const children: ChildProcess[] = [server];
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    server.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    server.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    server.on('error', (e) => reject(new Error(`Xvfb did not start (apt-get install xvfb): ${e.message}`)));
    server.on('exit', (code) => reject(new Error(`Xvfb exited with code ${code}: ${err.trim()}`)));
  });
  // Once up, it never keeps the test process alive: it is stopped on exit, whoever forgets to stop it.
  server.unref();
  (server.stdout as unknown as Socket).unref();
  (server.stderr as unknown as Socket).unref();
  // SIGTERM lets Xvfb remove its lock file and socket; SIGKILL would leave the display number taken.
  const stop = () => {
    for (const child of children.reverse()) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  return {
    display,
    run(command, args) {
      const child = spawn(command, args, { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
      child.on('error', () => undefined);
      children.push(child);
      return child;
    },
    stop,
  };
}

/** Runs an X client to completion (xsetroot, xrandr); rejects when it fails. */
export function x(xvfb: Xvfb, command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = xvfb.run(command, args);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}`)),
    );
  });
}
