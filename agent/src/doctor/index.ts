export { type CheckLine, type CheckStatus, formatLines } from './check-line.js';
export { type AgentDoctorOptions, runAgentDoctor } from './run-doctor.js';
