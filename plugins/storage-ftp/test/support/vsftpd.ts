import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Vsftpd {
  port: number;
  user: string;
  password: string;
  /** The user's home: the login folder. */
  home: string;
  stop(): Promise<void>;
}

const USER = 'deskrecftp';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`vsftpd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`vsftpd did not listen on ${port}`);
}

/** A real system user (created when missing) with a fresh password; vsftpd logs in through PAM. */
function ensureUser(password: string): string {
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', USER]);
  }
  execFileSync('chpasswd', { input: `${USER}:${password}\n` });
  return execFileSync('getent', ['passwd', USER]).toString().split(':')[5]!;
}

/**
 * Debian's vsftpd on 127.0.0.1 with its own config file and port, plain FTP and (with `tls`) explicit
 * FTPS on the same port. Needs root (useradd, chpasswd, vsftpd's privilege separation).
 */
export async function startVsftpd(tls?: { key: string; cert: string }): Promise<Vsftpd> {
  const password = randomBytes(12).toString('hex');
  const home = ensureUser(password);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-vsftpd-'));
  await fs.mkdir(path.join(dir, 'empty'));
  const port = await freePort();
  const pasvMin = randomInt(20_000, 60_000);
  const lines = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    'pasv_enable=YES',
    'pasv_address=127.0.0.1',
    `pasv_min_port=${pasvMin}`,
    `pasv_max_port=${pasvMin + 499}`,
    'seccomp_sandbox=NO',
    `secure_chroot_dir=${path.join(dir, 'empty')}`,
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'local_umask=022',
    'force_dot_files=YES',
    'pam_service_name=vsftpd',
    'xferlog_enable=NO',
    `vsftpd_log_file=${path.join(dir, 'vsftpd.log')}`,
  ];
  if (tls) {
    await fs.writeFile(path.join(dir, 'key.pem'), tls.key, { mode: 0o600 });
    await fs.writeFile(path.join(dir, 'cert.pem'), tls.cert);
    lines.push(
      'ssl_enable=YES',
      `rsa_private_key_file=${path.join(dir, 'key.pem')}`,
      `rsa_cert_file=${path.join(dir, 'cert.pem')}`,
      'force_local_logins_ssl=NO',
      'force_local_data_ssl=NO',
    );
  }
  const config = path.join(dir, 'vsftpd.conf');
  await fs.writeFile(config, `${lines.join('\n')}\n`, { mode: 0o600 });
  const child = spawn('/usr/sbin/vsftpd', [config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitForPort(port, child);
  child.unref();
  return {
    port,
    user: USER,
    password,
    home,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.ref();
        child.kill('SIGTERM');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
