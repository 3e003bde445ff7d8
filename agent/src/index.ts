export { Agent, type AgentOptions, type AgentStatus } from './agent.js';
export { parseAddress } from './config/address.js';
export { type AgentConfig, type AgentConfigInput, AgentConfigSchema } from './config/agent-config.js';
export { AgentConfigError, loadAgentConfig } from './config/load-config.js';
export { loadOrCreateIdentity } from './identity/workstation-identity.js';
export { createAgentLogger } from './logging/agent-logger.js';
export { Spool } from './spool/spool.js';
export { UPLOAD_PATH } from './upload/uploader.js';
