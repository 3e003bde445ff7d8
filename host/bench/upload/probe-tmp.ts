import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { randomBytes } from 'node:crypto';
import { send } from './client.js';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probe-'));
const tus = new Server({ path: '/api/uploads', datastore: new FileStore({ directory: dir }), relativeLocation: true });
const mode = process.argv[2];
let port: number;
if (mode === 'hono') {
  const app = new Hono();
  app.all('/api/uploads/*', (c) => tus.handleWeb(c.req.raw));
  app.all('/api/uploads', (c) => tus.handleWeb(c.req.raw));
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => s.once('listening', r));
  port = (s.address() as any).port;
} else {
  const s = http.createServer((req, res) => tus.handle(req, res));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  port = (s.address() as any).port;
}
const url = `http://127.0.0.1:${port}`;
const chunk = randomBytes(1 << 20);
const bytes = 1 << 30;
for (let i = 0; i < 2; i++) {
  const c = await fetch(`${url}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes) } });
  const loc = new URL(c.headers.get('location')!, `${url}/api/uploads/`).toString();
  const r = await send(loc, 'PATCH', { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, chunk, bytes);
  console.log(mode, r.status, (1024 / (r.ms / 1000)).toFixed(0), 'MiB/s');
  await fs.rm(dir, { recursive: true }); await fs.mkdir(dir);
}
process.exit(0);
