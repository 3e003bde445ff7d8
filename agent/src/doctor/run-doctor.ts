import { type CheckLine, checkFail, checkOk } from '@deskrec/core';
import type { AgentConfig } from '../config/agent-config.js';
import { AgentConfigError, loadAgentConfig } from '../config/load-config.js';
import { checkCaptureInput, loadCapture } from './capture-checks.js';
import { checkDataFolder, checkFreeDisk, checkIdentityFile } from './file-checks.js';
import { checkControllers, checkUploadUrl } from './network-checks.js';
import { checkLogin } from './session-checks.js';
import { checkClientCertificate } from './tls-checks.js';

export interface AgentDoctorOptions {
  file?: string | undefined;
  env?: Record<string, string | undefined>;
  /** Skip the two-second test capture (the monitors are still listed). */
  skipTestCapture?: boolean;
}

/** Every agent check, in the order an admin would fix them; a configuration failure stops the rest. */
export async function runAgentDoctor(options: AgentDoctorOptions = {}): Promise<CheckLine[]> {
  let config: AgentConfig;
  try {
    config = loadAgentConfig(options.file, options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    return [checkFail('config', error.message, 'correct the values named above (see deskrec-agent --help)')];
  }
  const lines: CheckLine[] = [
    checkOk('config', `${options.file ?? 'environment'} is valid; data folder ${config.dataDir}`),
    await checkDataFolder(config.dataDir),
    await checkIdentityFile(config.dataDir),
    await checkFreeDisk(config.dataDir, config.upload.minFreeDiskMb),
  ];
  lines.push(await checkLogin(config));
  const abort = new AbortController();
  try {
    const capture = await loadCapture(config, abort.signal);
    lines.push(capture.line);
    if (capture.backend && !options.skipTestCapture) {
      lines.push(...(await checkCaptureInput(config, capture.backend)));
    }
  } finally {
    abort.abort();
  }
  lines.push(await checkClientCertificate(config));
  lines.push(...(await checkControllers(config)));
  lines.push(await checkUploadUrl(config.dataDir));
  return lines;
}
