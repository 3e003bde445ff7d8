export { type CheckLine, type CheckStatus, formatLines } from './check-line.js';
export { runHostDoctor } from './run-doctor.js';
export { runDoctorCli } from './run-doctor-cli.js';
