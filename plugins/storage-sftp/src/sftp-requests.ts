import path from 'node:path';
import type { FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';

/** SFTP status code for a missing path (SSH_FX_NO_SUCH_FILE). */
export const NO_SUCH_FILE = 2;

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown })?.code === NO_SUCH_FILE;
}

/*
 * Metadata requests go to ssh2's SFTP channel directly: they keep the server's exact status codes (which
 * ssh2-sftp-client's wrappers rewrite) and need no per-client listeners, so they run concurrently safely.
 */

export function statOf(sftp: SFTPWrapper, remotePath: string): Promise<Stats | undefined> {
  return new Promise((resolve, reject) => {
    sftp.stat(remotePath, (error, stats) => {
      if (error) {
        if (isMissing(error)) resolve(undefined);
        else reject(error);
      } else resolve(stats);
    });
  });
}

export function rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.rename(from, to, (error) => (error ? reject(error) : resolve())),
  );
}

/** `posix-rename@openssh.com`: replaces the target atomically; only when the server announces it. */
export function supportsPosixRename(sftp: SFTPWrapper): boolean {
  const extensions = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return extensions?.['posix-rename@openssh.com'] !== undefined;
}

export function posixRename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.ext_openssh_rename(from, to, (error) => (error ? reject(error) : resolve())),
  );
}

/** Removes a file; a missing file counts as removed. */
export function unlink(sftp: SFTPWrapper, remotePath: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.unlink(remotePath, (error) => (error && !isMissing(error) ? reject(error) : resolve())),
  );
}

/** Entries of a folder, or undefined when it does not exist. */
export function readdir(sftp: SFTPWrapper, remotePath: string): Promise<FileEntryWithStats[] | undefined> {
  return new Promise((resolve, reject) => {
    sftp.readdir(remotePath, (error, list) => {
      if (error) {
        if (isMissing(error)) resolve(undefined);
        else reject(error);
      } else resolve(list);
    });
  });
}

function mkdir(sftp: SFTPWrapper, remotePath: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.mkdir(remotePath, (error) => (error ? reject(error) : resolve())),
  );
}

/** `mkdir -p`: creates `remotePath` and missing parents; tolerates a concurrent writer creating them first. */
export async function mkdirp(sftp: SFTPWrapper, remotePath: string): Promise<void> {
  const existing = await statOf(sftp, remotePath);
  if (existing?.isDirectory()) return;
  const parent = path.posix.dirname(remotePath);
  if (!existing && parent !== remotePath && parent !== '.') await mkdirp(sftp, parent);
  try {
    await mkdir(sftp, remotePath);
  } catch (error) {
    if (!(await statOf(sftp, remotePath))?.isDirectory()) throw error;
  }
}

export function openFile(sftp: SFTPWrapper, remotePath: string, flags: 'r' | 'w'): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sftp.open(remotePath, flags, { mode: 0o640 }, (error, handle) =>
      error ? reject(error) : resolve(handle),
    ),
  );
}

export function closeFile(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sftp.close(handle, (error) => (error ? reject(error) : resolve())));
}
