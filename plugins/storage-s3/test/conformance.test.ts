import { STORAGE_KIT_TESTS, storageTargetKit } from '@deskrec/core/testing';
import plugin from '../src/index.js';
import { LocalS3 } from './s3rver-server.js';

// One s3rver for the whole kit, a fresh bucket per test; the server stops after the kit's last test.
const s3 = await LocalS3.start();
let buckets = 0;

storageTargetKit({
  name: 'storage-s3 (s3rver)',
  capabilities: plugin.capabilities,
  async create() {
    const bucket = `kit-${++buckets}`;
    await s3.createBucket(bucket);
    return s3.target(bucket, { prefix: 'recordings/tenant-a' });
  },
  async cleanup() {
    if (buckets === STORAGE_KIT_TESTS.length) await s3.stop();
  },
});
