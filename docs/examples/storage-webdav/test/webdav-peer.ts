import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WebDavPeer {
  url: string;
  username: string;
  password: string;
  /** The folder the server serves. */
  root: string;
  close(): Promise<void>;
}

/** Starts test/server-process.mjs on a fresh folder and waits for its port. */
export async function startWebDavServer(): Promise<WebDavPeer> {
  const root = await mkdtemp(join(tmpdir(), 'deskrec-webdav-'));
  const username = 'recorder';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(import.meta.dirname, 'server-process.mjs'), root, username, password],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the WebDAV server exited (${code})`)));
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  // The server lives as long as the test process, whose last suite may end at any time.
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stdin as unknown as { unref(): void }).unref();
  process.once('exit', () => {
    child.kill();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    username,
    password,
    root,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.ref();
      child.stdin!.end();
      await exited;
      await rm(root, { recursive: true, force: true });
    },
  };
}
