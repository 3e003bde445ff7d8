export { type CheckLine, type CheckStatus, formatCheckLines } from '@deskrec/core';
export { runHostDoctor } from './run-doctor.js';
export { runDoctorCli } from './run-doctor-cli.js';
