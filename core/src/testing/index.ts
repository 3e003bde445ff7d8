export * from './byte-source.js';
export * from './kit-skips.js';
export * from './memory-storage.js';
export * from './storage-kit.js';
