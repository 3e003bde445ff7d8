import { formatCheckLines } from '@deskrec/core';
import type { LoadConfigOptions } from '../config/load-config.js';
import { runHostDoctor } from './run-doctor.js';

/** `deskrec-host doctor`: one line per check; exit code 1 when any check failed. */
export async function runDoctorCli(options: LoadConfigOptions = {}): Promise<number> {
  const lines = await runHostDoctor(options);
  process.stdout.write(`${formatCheckLines(lines)}\n`);
  const failed = lines.filter((l) => l.status === 'fail').length;
  const warned = lines.filter((l) => l.status === 'warn').length;
  process.stdout.write(`\n${lines.length} checks: ${failed} failed, ${warned} warnings\n`);
  return failed ? 1 : 0;
}
