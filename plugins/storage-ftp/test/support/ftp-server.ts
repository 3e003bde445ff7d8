import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FtpServerOptions {
  /** Folder the test user sees as "/". */
  root: string;
  user?: string;
  password?: string;
  /** TLS key and certificate (PEM): explicit FTPS (AUTH TLS), or implicit FTPS with `implicit`. */
  tls?: { key: string; cert: string };
  implicit?: boolean;
  /** Control port; default ephemeral. Set it to restart a server where a stopped one was. */
  port?: number;
  /** Run the server as this uid/gid (tests running as root use it so file permissions apply). */
  uid?: number;
  gid?: number;
}

export interface FtpServer {
  port: number;
  user: string;
  password: string;
  /** Stops the server and waits for its process to end. */
  stop(): Promise<void>;
  /** Kills the server at once, as a crash or a pulled cable would. */
  kill(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./ftp-server-child.mjs', import.meta.url));

/**
 * A server run as another uid must be able to reach the checkout; node's "Cannot find module" would not say
 * why it cannot (a clone in a `mktemp -d` folder, mode 700, is the usual case).
 */
function assertReachableByOthers(file: string): void {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(`ftp-srv runs as another user here and cannot enter ${dir}: chmod o+x it`);
    }
  }
}

/** Starts ftp-srv on 127.0.0.1 with an ephemeral control port and a random passive port range. */
export async function startFtpServer(options: FtpServerOptions): Promise<FtpServer> {
  if (options.uid !== undefined) assertReachableByOthers(CHILD);
  const user = options.user ?? 'rec';
  const password = options.password ?? 'test-password-ftp';
  const pasvMin = randomInt(20_000, 60_000);
  const config = { ...options, user, password, pasvMin, pasvMax: pasvMin + 99 };
  const child: ChildProcess = spawn(process.execPath, [CHILD], {
    env: { ...process.env, FTP_FIXTURE: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`ftp-srv exited with ${code} before listening`)));
    child.once('error', reject);
  });
  // The server must not keep the test process alive; 'exit' above kills it if a test forgets to.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  const end = async (signal: NodeJS.Signals) => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.ref();
    child.kill(signal);
    await exited;
  };
  return { port, user, password, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
