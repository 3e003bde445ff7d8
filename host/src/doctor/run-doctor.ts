import { type CheckLine, checkFail, checkOk } from '@deskrec/core';
import { ConfigError } from '../config/config-error.js';
import { type LoadConfigOptions, loadConfig } from '../config/load-config.js';
import type { HostConfig } from '../config/schema.js';
import { checkCertificates } from './certificate-check.js';
import { checkDatabase } from './database-check.js';
import { checkFreeDisk, checkWritable } from './disk-checks.js';
import { checkPort, probeRunningHost } from './port-check.js';
import { checkStorage } from './storage-check.js';

const MB = 1024 * 1024;
/** Recordings arrive in files of tens of MB; below 1 GB a busy host fills up within hours. */
export const HOST_DISK_FLOOR = { failBytes: 200 * MB, warnBytes: 1024 * MB };

async function checkPorts(
  config: HostConfig,
): Promise<{ lines: CheckLine[]; running: Awaited<ReturnType<typeof probeRunningHost>> }> {
  const running = config.web.port
    ? await probeRunningHost(config.web.host, config.web.port, config.observability.token)
    : undefined;
  const controllerHost = config.controller.host ?? config.web.host;
  const listening = running?.controller.listening;
  const lines = [
    await checkPort(
      {
        name: 'web',
        host: config.web.host,
        port: config.web.port,
        setting: 'web.port or DESKREC_WEB_PORT',
        zero: 'any',
      },
      running,
      true,
    ),
    await checkPort(
      {
        name: 'controller tcp',
        host: controllerHost,
        port: config.controller.tcpPort,
        setting: 'controller.tcpPort or DESKREC_CONTROLLER_TCP_PORT',
        zero: 'disabled',
      },
      running,
      listening?.tcp?.port === config.controller.tcpPort,
    ),
    await checkPort(
      {
        name: 'controller tls',
        host: controllerHost,
        port: config.controller.tlsPort,
        setting: 'controller.tlsPort or DESKREC_CONTROLLER_TLS_PORT',
        zero: 'disabled',
      },
      running,
      listening?.tls?.port === config.controller.tlsPort,
    ),
  ];
  return { lines, running };
}

/** Every host check, in the order an admin would fix them; a configuration failure stops the rest. */
export async function runHostDoctor(options: LoadConfigOptions = {}): Promise<CheckLine[]> {
  let config: HostConfig;
  try {
    config = loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      checkFail('config', error.message, 'correct the values named above (see README "Configuration")'),
    ];
  }
  const lines: CheckLine[] = [checkOk('config', `${config.source} is valid; data folder ${config.dataDir}`)];
  lines.push(await checkWritable('data folder', config.dataDir));
  lines.push(await checkFreeDisk('free disk', config.dataDir, HOST_DISK_FLOOR));
  const ports = await checkPorts(config);
  lines.push(...ports.lines);
  lines.push(await checkCertificates(config.controller.tlsKeyFile, config.controller.tlsCertFile));
  const database = await checkDatabase(config, ports.running);
  lines.push(database.line);
  try {
    lines.push(...(await checkStorage(config, database.handle)));
  } finally {
    await database.handle?.close().catch(() => undefined);
  }
  return lines;
}
