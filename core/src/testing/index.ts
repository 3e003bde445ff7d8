export * from './auth-kit.js';
export * from './byte-source.js';
export * from './call-events-kit.js';
export * from './capture-kit.js';
export * from './kit-skips.js';
export * from './memory-storage.js';
export * from './storage-kit.js';
export * from './tcp-test-peer.js';
