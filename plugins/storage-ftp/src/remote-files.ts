import { posix } from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { type Client, type FileInfo, FTPError } from 'basic-ftp';
import { isConnectionError, isMissing } from './errors.js';

/**
 * Makes `dir` (the root or a folder below it) the working folder, creating what is missing. Folders below
 * the root are created relative to it, so nothing above the root is touched once the root exists.
 */
export async function enterFolder(client: Client, root: string, dir: string): Promise<void> {
  try {
    await client.cd(dir);
    return;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  try {
    await client.cd(root);
  } catch (error) {
    if (!isMissing(error)) throw error;
    await client.ensureDir(root);
  }
  const below = posix.relative(root, dir);
  if (below) await client.ensureDir(below);
}

/**
 * Renames `temp` over `path`. Servers that refuse to rename onto an existing file (IIS) get the old file
 * removed first; when `path` does not exist the refusal is real and is passed on.
 */
export async function replace(client: Client, temp: string, path: string): Promise<void> {
  try {
    await client.rename(temp, path);
  } catch (error) {
    if (!isMissing(error)) throw error;
    const exists = await sizeOf(client, path).then(
      () => true,
      () => false,
    );
    if (!exists) throw error;
    await client.remove(path);
    await client.rename(temp, path);
  }
}

/** The entries of `dir`: cd then a bare LIST, so names with spaces or glob characters never reach LIST's argument parser. */
export async function listFolder(client: Client, dir: string): Promise<FileInfo[]> {
  await client.cd(dir);
  return client.list();
}

/**
 * The size of the file at `path` (FTP 550 when missing). Some servers answer SIZE of an empty file
 * without a number (ftp-srv: "213 File status"), so a reply that is not understood falls back to the listing.
 */
export async function sizeOf(client: Client, path: string): Promise<number> {
  try {
    return await client.size(path);
  } catch (error) {
    if (error instanceof FTPError || isConnectionError(error)) throw error;
    const name = posix.basename(path);
    const entry = (await listFolder(client, posix.dirname(path))).find((e) => e.name === name);
    if (!entry?.isFile) throw new FTPError({ code: 550, message: `550 ${path}: no such file` });
    return entry.size;
  }
}

/**
 * After a data connection broke while the control connection lives on, the server's final reply often
 * says why (ftp-srv answers 150, fails to open the file, then sends 550). Waits briefly for that reply and
 * returns it when it is an error. The client is out of step with the server afterwards, so it is closed.
 */
export async function finalReply(client: Client, waitMs: number): Promise<FTPError | undefined> {
  if (client.closed) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const reply = client.ftp
    .handle(undefined, (response, task) =>
      response instanceof Error ? task.reject(response) : task.resolve(response),
    )
    .then(
      () => undefined,
      (error: unknown) => (error instanceof FTPError ? error : undefined),
    );
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  try {
    return await Promise.race([reply, timeout]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/** How long a broken upload waits for the server's explanation on the control connection. */
const FINAL_REPLY_WAIT_MS = 2_000;

/**
 * uploadFrom, but when the data connection breaks while the control connection lives, the server's
 * final error reply (if it sends one in time) is thrown instead of the bare socket error.
 */
export async function upload(client: Client, source: Readable, path: string): Promise<void> {
  try {
    await client.uploadFrom(client.ftp.hasTLS ? withEmptyGrace(source) : source, path);
  } catch (error) {
    // A source that failed on its own is the caller's problem; the server has nothing to add.
    const sourceFailed = source.errored && !isConnectionError(source.errored);
    if (sourceFailed || !isConnectionError(error)) throw error;
    throw (await finalReply(client, FINAL_REPLY_WAIT_MS)) ?? error;
  }
}

/** How long an empty TLS upload keeps its data connection open before closing it. */
const EMPTY_TLS_GRACE_MS = 50;

/**
 * vsftpd rejects a TLS data connection that is closed right after its handshake (alert 50, "decode
 * error"), which is what an empty upload does. Holding the end of an empty stream briefly lets the server
 * finish its side of the handshake; streams with bytes pass through untouched.
 */
function withEmptyGrace(source: Readable): Readable {
  let bytes = 0;
  const grace = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (bytes > 0) callback();
      else setTimeout(callback, EMPTY_TLS_GRACE_MS);
    },
  });
  pipeline(source, grace, () => {});
  return grace;
}
