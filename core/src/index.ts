export * from './config/plugin-entry.js';
export * from './connector/index.js';
export * from './di/tokens.js';
export * from './domain/call-event.js';
export * from './domain/recording.js';
export * from './domain/settings.js';
export * from './plugin/api-version.js';
export * from './plugin/clock.js';
export * from './plugin/context.js';
export * from './plugin/define-plugin.js';
export * from './plugin/errors.js';
export * from './plugin/instantiate.js';
export * from './plugin/kinds.js';
export * from './plugin/loader.js';
export * from './plugin/logger.js';
export * from './plugin/registry.js';
export * from './plugin/resolve.js';
export * from './ports/auth-policy.js';
export * from './ports/call-event-source.js';
export * from './ports/capture-backend.js';
export * from './ports/storage-error.js';
export * from './ports/storage-target.js';
export * from './protocol/decode.js';
export * from './protocol/messages.js';
export * from './template/default-template.js';
export * from './template/parse.js';
export * from './template/render.js';
export * from './template/sanitize.js';
export * from './template/template-error.js';
export * from './template/variables.js';
export * from './util/abort.js';
export {
  type CheckLine,
  type CheckStatus,
  fail as checkFail,
  formatLines as formatCheckLines,
  ok as checkOk,
  warn as checkWarn,
} from './util/check-line.js';
export * from './util/digest-stream.js';
export * from './util/fit-key.js';
export * from './util/key.js';
export * from './util/zod-issues.js';
