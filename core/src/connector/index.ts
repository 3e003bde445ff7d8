export * from './backoff.js';
export * from './event-relay.js';
export * from './health.js';
export * from './line-splitter.js';
export * from './network-error.js';
export * from './reconcile-window.js';
export * from './reconnecting-connection.js';
