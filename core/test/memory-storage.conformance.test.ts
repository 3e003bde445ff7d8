import { MemoryStorageTarget } from '../src/testing/memory-storage.js';
import { storageTargetKit } from '../src/testing/storage-kit.js';

storageTargetKit({
  name: 'in-memory reference',
  capabilities: new MemoryStorageTarget().capabilities,
  create: async () => new MemoryStorageTarget(),
  // The reference keeps objects in memory by design; every other test still runs at full size.
  skip: [
    { test: 'large object is streamed', reason: 'the in-memory reference holds objects in memory by design' },
  ],
});
