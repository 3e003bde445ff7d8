import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import plugin, { WebDavOptionsSchema, WebDavTarget } from '../src/index.js';
import { startWebDavServer } from './webdav-peer.js';

const server = await startWebDavServer();
let run = 0;

storageTargetKit({
  capabilities: plugin.capabilities,
  name: '@acme/deskrec-storage-webdav (webdav-server)',
  async create() {
    // A fresh collection per test, so every test starts from an empty root.
    const collection = `t${++run}`;
    await mkdir(join(server.root, collection));
    return new WebDavTarget(
      WebDavOptionsSchema.parse({
        url: `${server.url}${collection}/`,
        username: server.username,
        password: server.password,
      }),
    );
  },
  async cleanup() {
    await rm(join(server.root, `t${run}`), { recursive: true, force: true });
  },
});
