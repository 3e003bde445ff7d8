import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type Attributes, type Connection, type SFTPWrapper } from 'ssh2';
import { fingerprintOf } from '../../src/fingerprint.js';
import { ed25519KeyPair } from './ssh-keys.js';

const { Server, utils } = ssh2;
const { STATUS_CODE, flagsToString } = utils.sftp;

export interface TestSftpServer {
  port: number;
  /** The host key's fingerprint as OpenSSH prints it. */
  fingerprint: string;
  /** Destroys every client socket at once: a server or network dying mid-transfer. */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface TestSftpServerOptions {
  /** Local folder served as the SFTP root `/`. */
  base: string;
  username: string;
  password: string;
  /** Remote folders whose content may be read but not changed (answers PERMISSION_DENIED, as for 0555). */
  readOnly?: string[];
}

function statusOf(error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

function attrsOf(info: import('node:fs').Stats): Attributes {
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  const { mode, uid, gid, size } = info;
  return { mode, uid, gid, size, atime: seconds(info.atime), mtime: seconds(info.mtime) };
}

/** Serves one SFTP session from a local folder; every request answers from real files (no stubs). */
function serveSftp(sftp: SFTPWrapper, options: TestSftpServerOptions): void {
  const handles = new Map<number, { file?: fs.FileHandle; dir?: string; listed?: boolean }>();
  let next = 0;
  const local = (p: string) => path.join(options.base, path.posix.resolve('/', p));
  const readOnly = (p: string) =>
    (options.readOnly ?? []).some((ro) =>
      path.posix.resolve('/', p).startsWith(`${path.posix.resolve('/', ro)}/`),
    );
  const handleOf = (buf: Buffer) => handles.get(buf.readUInt32BE(0));
  const newHandle = (entry: { file?: fs.FileHandle; dir?: string }) => {
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(++next, 0);
    handles.set(next, entry);
    return buf;
  };
  // Runs a request; any filesystem error becomes the matching SFTP status.
  const answer = (reqid: number, work: () => Promise<void>, ...writes: string[]) => {
    if (writes.some(readOnly)) {
      sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'Permission denied');
      return;
    }
    work().catch((error) => sftp.status(reqid, statusOf(error), (error as Error).message));
  };
  const ok = (reqid: number) => sftp.status(reqid, STATUS_CODE.OK);
  // A request answered with OK once `work` succeeds.
  const done = (reqid: number, work: () => Promise<unknown>, ...writes: string[]) =>
    answer(
      reqid,
      async () => {
        await work();
        ok(reqid);
      },
      ...writes,
    );

  sftp.on('OPEN', (reqid, filename, flags, attrs) => {
    const mode = flagsToString(flags) ?? 'r';
    const writing = mode !== 'r';
    answer(
      reqid,
      async () =>
        sftp.handle(reqid, newHandle({ file: await fs.open(local(filename), mode, attrs.mode ?? 0o644) })),
      ...(writing ? [filename] : []),
    );
  });
  sftp.on('READ', (reqid, handle, offset, length) =>
    answer(reqid, async () => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handleOf(handle)!.file!.read(buffer, 0, length, offset);
      if (bytesRead === 0) sftp.status(reqid, STATUS_CODE.EOF);
      else sftp.data(reqid, buffer.subarray(0, bytesRead));
    }),
  );
  sftp.on('WRITE', (reqid, handle, offset, data) =>
    answer(reqid, async () => {
      await handleOf(handle)!.file!.write(data, 0, data.length, offset);
      ok(reqid);
    }),
  );
  sftp.on('CLOSE', (reqid, handle) =>
    answer(reqid, async () => {
      await handleOf(handle)?.file?.close();
      handles.delete(handle.readUInt32BE(0));
      ok(reqid);
    }),
  );
  sftp.on('FSTAT', (reqid, handle) =>
    answer(reqid, async () => sftp.attrs(reqid, attrsOf(await handleOf(handle)!.file!.stat()))),
  );
  sftp.on('FSETSTAT', (reqid) => ok(reqid));
  sftp.on('SETSTAT', (reqid) => ok(reqid));
  sftp.on('STAT', (reqid, p) =>
    answer(reqid, async () => sftp.attrs(reqid, attrsOf(await fs.stat(local(p))))),
  );
  sftp.on('LSTAT', (reqid, p) =>
    answer(reqid, async () => sftp.attrs(reqid, attrsOf(await fs.lstat(local(p))))),
  );
  sftp.on('OPENDIR', (reqid, p) =>
    answer(reqid, async () => {
      if (!(await fs.stat(local(p))).isDirectory())
        throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      sftp.handle(reqid, newHandle({ dir: local(p) }));
    }),
  );
  sftp.on('READDIR', (reqid, handle) =>
    answer(reqid, async () => {
      const entry = handleOf(handle)!;
      if (entry.listed) return void sftp.status(reqid, STATUS_CODE.EOF);
      entry.listed = true;
      const names = await fs.readdir(entry.dir!);
      const infos = await Promise.all(names.map((n) => fs.lstat(path.join(entry.dir!, n))));
      sftp.name(
        reqid,
        names.map((filename, i) => ({ filename, longname: filename, attrs: attrsOf(infos[i]!) })),
      );
    }),
  );
  sftp.on('MKDIR', (reqid, p) => done(reqid, () => fs.mkdir(local(p)), p));
  sftp.on('RMDIR', (reqid, p) => done(reqid, () => fs.rmdir(local(p)), p));
  sftp.on('REMOVE', (reqid, p) => done(reqid, () => fs.unlink(local(p)), p));
  // SFTP v3 rename refuses an existing target; link + unlink makes that atomic, as OpenSSH does.
  sftp.on('RENAME', (reqid, from, to) =>
    answer(
      reqid,
      async () => {
        await fs.link(local(from), local(to));
        await fs.unlink(local(from));
        ok(reqid);
      },
      from,
      to,
    ),
  );
  sftp.on('REALPATH', (reqid, p) =>
    sftp.name(reqid, [{ filename: path.posix.resolve('/', p), longname: '', attrs: {} as Attributes }]),
  );
  sftp.on('close', () => {
    for (const entry of handles.values()) entry.file?.close().catch(() => undefined);
  });
}

/** An SFTP server on ssh2's `Server` at 127.0.0.1 on an ephemeral port, password auth, fresh ed25519 host key. */
export async function startSftpServer(options: TestSftpServerOptions): Promise<TestSftpServer> {
  const hostKey = ed25519KeyPair();
  const parsed = utils.parseKey(hostKey.public);
  if (parsed instanceof Error) throw parsed;
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    // As OpenSSH's sshd does: without it, each burst of requests waited on a delayed ACK (fastPut ran at
    // 45 MB/s against this server, 158 with it).
    // ssh2's Connection has setNoDelay; its type definitions omit it.
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === options.username && ctx.password === options.password)
        ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serveSftp(acceptSftp(), options));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The listening socket alone must not keep a finished test process alive.
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint: fingerprintOf(parsed.getPublicSSH()),
    dropConnections() {
      for (const client of clients)
        (client as unknown as { _sock: import('node:net').Socket })._sock.destroy();
    },
    async close() {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
