import fs from 'node:fs';
import path from 'node:path';
import { formatIssues } from '@deskrec/core';
import { type AgentConfig, type AgentConfigInput, AgentConfigSchema } from '../config/agent-config.js';
import { AgentConfigError } from '../config/load-config.js';

/** The installer parameters admins know (SERVER1, SERVER2, TENANT_TOKEN, USE_SSL) as command-line flags. */
export interface InstallFlags {
  server1?: string | undefined;
  server2?: string | undefined;
  'tenant-token'?: string | undefined;
  'use-ssl'?: string | undefined;
  fingerprint?: string | undefined;
  'ca-file'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  'data-dir'?: string | undefined;
  display?: string | undefined;
  xauthority?: string | undefined;
}

export { INSTALL_FLAG_NAMES } from './install-flag-names.js';

/** The service environment the flags ask for: the X display and its cookie for a Linux system service. */
export function serviceEnvFromFlags(flags: InstallFlags, cwd = process.cwd()): Record<string, string> {
  return {
    ...(flags.display ? { DISPLAY: flags.display } : {}),
    ...(flags.xauthority ? { XAUTHORITY: path.resolve(cwd, flags.xauthority) } : {}),
  };
}

/** Flags to a validated config; errors name the flag. Paths are made absolute (a service has another cwd). */
export function configFromFlags(flags: InstallFlags, cwd = process.cwd()): AgentConfig {
  const abs = (p: string | undefined) => (p ? path.resolve(cwd, p) : undefined);
  const useSsl = flags['use-ssl'];
  if (useSsl !== undefined && !/^(0|1|true|false)$/i.test(useSsl))
    throw new AgentConfigError(`--use-ssl: expected 1 or 0, got "${useSsl}"`);
  const input: AgentConfigInput = {
    controller: {
      primary: flags.server1 ?? '',
      ...(flags.server2 ? { secondary: flags.server2 } : {}),
      tls: useSsl !== undefined && /^(1|true)$/i.test(useSsl),
      ...(flags.fingerprint ? { fingerprint: flags.fingerprint } : {}),
      ...(flags['ca-file'] ? { caFile: abs(flags['ca-file'])! } : {}),
      ...(flags['tls-cert'] ? { tlsCert: abs(flags['tls-cert'])! } : {}),
      ...(flags['tls-key'] ? { tlsKey: abs(flags['tls-key'])! } : {}),
    },
    tenantToken: flags['tenant-token'] ?? '',
    ...(flags['data-dir'] ? { dataDir: abs(flags['data-dir'])! } : {}),
    ...(flags.display ? { capture: { use: 'ffmpeg', options: { display: flags.display } } } : {}),
  };
  const result = AgentConfigSchema.safeParse(input);
  if (!result.success) {
    const text = formatIssues(result.error)
      .replace(/controller\.primary/g, '--server1')
      .replace(/controller\.secondary/g, '--server2')
      .replace(/tenantToken/g, '--tenant-token');
    throw new AgentConfigError(`install: ${text}`);
  }
  return result.data;
}

/** The config file the service reads: only what was given, so defaults stay defaults; owner-only (it holds the token). */
export function writeServiceConfig(file: string, config: AgentConfig, flags: InstallFlags): void {
  const { controller } = config;
  const out = {
    controller: Object.fromEntries(
      Object.entries(controller).filter(([k]) => k !== 'returnToPrimarySeconds' || flags.server2),
    ),
    tenantToken: config.tenantToken,
    dataDir: config.dataDir,
    ...(flags.display ? { capture: config.capture } : {}),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}
