import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestSshd {
  port: number;
  /** Host key fingerprint as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Home folder of the test user (a non-root user, so file modes apply). */
  home: string;
  stop(): Promise<void>;
}

export interface TestSshdOptions {
  username: string;
  password: string;
  /** OpenSSH public key line accepted for the user. */
  authorizedKey: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ensureUser(username: string, password: string): Promise<string> {
  await run('id', [username]).catch(() => run('useradd', ['--create-home', '--shell', '/bin/sh', username]));
  const child = spawn('chpasswd');
  child.stdin.end(`${username}:${password}\n`);
  await new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`chpasswd exited ${code}`)))),
  );
  const { stdout } = await run('getent', ['passwd', username]);
  return stdout.trim().split(':')[5]!;
}

async function waitForPort(port: number, exited: () => string | undefined): Promise<void> {
  for (;;) {
    const problem = exited();
    if (problem) throw new Error(problem);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Debian's OpenSSH sshd on 127.0.0.1 with its own config, host key and pid file in a temp folder. */
export async function startSshd(options: TestSshdOptions): Promise<TestSshd> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sshd-'));
  // sshd reads authorized_keys as the user, so the folder must be readable to it.
  await fs.chmod(dir, 0o755);
  const home = await ensureUser(options.username, options.password);
  const hostKey = path.join(dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const { stdout } = await run('ssh-keygen', ['-lf', `${hostKey}.pub`]);
  const fingerprint = stdout.split(' ')[1]!;
  await fs.writeFile(path.join(dir, 'authorized_keys'), `${options.authorizedKey}\n`, { mode: 0o644 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'Subsystem sftp internal-sftp',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The temp folder lives under world-writable /tmp, which StrictModes would refuse.
      'StrictModes no',
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `AllowUsers ${options.username}`,
      '',
    ].join('\n'),
  );
  await fs.mkdir('/run/sshd', { recursive: true });
  const child = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = `sshd exited (${code ?? signal}): ${log}`;
  });
  // Safety net: never leave sshd running after the test process, even when a test forgot stop().
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  await waitForPort(port, () => exit);
  return {
    port,
    fingerprint,
    home,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exit === undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
