/**
 * The baseline: a bare node:http server that writes each request body to a file and fsyncs it, run in its
 * own process like the host. Prints `{"ready":true,"url":...}`; answers `rss` on stdin.
 */
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
await fs.mkdir(dir, { recursive: true });
let n = 0;
const server = http.createServer(async (req, res) => {
  const file = path.join(dir, `body-${n++}`);
  await pipeline(req, createWriteStream(file));
  const handle = await fs.open(file, 'r');
  await handle.sync();
  await handle.close();
  res.writeHead(204).end();
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` })}\n`);
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (!line.includes('rss')) return;
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss })}\n`);
});
