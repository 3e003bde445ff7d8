export { type CheckLine, type CheckStatus, formatCheckLines } from '@deskrec/core';
export { type AgentDoctorOptions, runAgentDoctor } from './run-doctor.js';
