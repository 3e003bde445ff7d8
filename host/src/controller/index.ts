export { CLOSE } from './close-codes.js';
export { type Controller, type ControllerStatus, createController } from './controller.js';
export { type AgentCountState, ControllerMetrics } from './metrics.js';
export { type ControllerOptions, type ControllerTuning, ControllerTuningSchema } from './options.js';
export { loadTlsMaterial, type TlsMaterial } from './tls-material.js';
