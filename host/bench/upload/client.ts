import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';

const CHUNK = 1024 * 1024;

/** The body every run sends: one random MiB repeated, so nothing big sits in the client's memory. */
export function bodyOf(chunk: Buffer, bytes: number): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= CHUNK) hash.update(chunk.subarray(0, Math.min(CHUNK, left)));
  return { sha256: hash.digest('hex'), bytes };
}

export interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  ms: number;
  /** Until the last body byte was handed to the socket: the rest is the server finishing up. */
  bodyMs: number;
}

/** Streams `bytes` of `chunk` repeated as the request body, with backpressure; times request to answer. */
export function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  chunk: Buffer,
  bytes: number,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let bodyMs = 0;
    const req = http.request(url, {
      method,
      headers: { ...headers, 'content-length': String(bytes) },
    });
    req.on('error', reject);
    req.on('finish', () => {
      bodyMs = performance.now() - started;
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          ms: performance.now() - started,
          bodyMs,
        }),
      );
    });
    void (async () => {
      for (let left = bytes; left > 0; left -= CHUNK) {
        if (!req.write(chunk.subarray(0, Math.min(CHUNK, left))))
          await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
  });
}

/** Samples a process's VmRSS (bytes) every 50 ms until stopped; returns the peak. */
export function samplePeakRss(pid: number): () => Promise<number> {
  let peak = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await done;
    return peak;
  };
}

/** CPU time (user + system, all threads) a process has used so far, in ms; Linux /proc, 10 ms ticks. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
