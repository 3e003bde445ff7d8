#!/usr/bin/env node
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AgentDaemon } from '../app/agent-daemon.js';
import { createAgentContainer } from '../app/composition-root.js';
import { AgentConfigError, loadAgentConfig, resolveDataDir } from '../config/load-config.js';
import { loadOrCreateIdentity } from '../identity/workstation-identity.js';
import { INSTALL_FLAG_NAMES } from '../install/install-flag-names.js';

const HELP = `deskrec-agent: records this workstation's screen during calls, as the deskrec host commands.

Usage:
  deskrec-agent run [--config FILE]          run the agent (Ctrl-C stops it cleanly)
  deskrec-agent status [--config FILE | --data-dir DIR]
                                             show connection, authorization, capture and upload state
  deskrec-agent enroll-info [--config FILE]  show what an admin sees when authorizing this workstation
  deskrec-agent doctor [--config FILE]       check config, TLS trust, client certificate, login, capture,
                                             controller, upload, disk
  deskrec-agent install --server1 HOST[:PORT] [--server2 HOST[:PORT]] --tenant-token TOKEN [--use-ssl 1]
                [--fingerprint SHA256] [--ca-file F] [--tls-cert F --tls-key F] [--data-dir D]
                [--display :0 --xauthority FILE]
                                             write the config, register and start the service
                                             (systemd / Windows service via WinSW / launchd daemon)
  deskrec-agent uninstall [--data-dir D]     stop and remove the service (identity and spool are kept)
  deskrec-agent --help

Configuration: a JSON or YAML file (--config or DESKREC_AGENT_CONFIG) and/or the environment:
  DESKREC_SERVER1        primary controller, host[:port] (6091 plain, 6092 TLS)
  DESKREC_SERVER2        secondary controller (optional)
  DESKREC_TENANT_TOKEN   the tenant's screen-recording token
  DESKREC_USE_SSL        1 to use the TLS port, 0 for plain TCP
  DESKREC_AGENT_DATA_DIR identity, spool and logs
  DESKREC_LOGIN          report this login instead of reading it from the OS
  DESKREC_TLS_CERT / DESKREC_TLS_KEY  client certificate and key (hosts with a client CA)
  DESKREC_CA_FILE        CA that signed the host certificate
  DESKREC_TRACE          1 to write the trace log (off by default)
`;

function fail(message: string): never {
  process.stderr.write(`deskrec-agent: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      ...Object.fromEntries(
        INSTALL_FLAG_NAMES.filter((n) => n !== 'data-dir').map((n) => [n, { type: 'string' as const }]),
      ),
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(HELP);
    return;
  }
  if (command === 'doctor') {
    // The doctor reports a bad config as one of its checks instead of stopping on it. Loaded only for
    // its command (as install below), so a running agent does not hold their code.
    const { formatCheckLines, runAgentDoctor } = await import('../doctor/index.js');
    const lines = await runAgentDoctor({ file: values.config ?? process.env.DESKREC_AGENT_CONFIG });
    const failed = lines.filter((l) => l.status === 'fail').length;
    process.stdout.write(`${formatCheckLines(lines)}\n\n${lines.length} checks: ${failed} failed\n`);
    process.exitCode = failed ? 1 : 0;
    return;
  }
  const isSea = await import('node:sea').then((sea) => sea.isSea()).catch(() => false);
  // The single executable ships ffmpeg beside itself.
  if (isSea && !process.env.FFMPEG_PATH) {
    const ffmpeg = path.join(
      path.dirname(process.execPath),
      process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg',
    );
    if (fs.existsSync(ffmpeg)) process.env.FFMPEG_PATH = ffmpeg;
  }
  if (command === 'install') {
    const { configFromFlags, serviceEnvFromFlags, writeServiceConfig } = await import(
      '../install/install-options.js'
    );
    const { ServiceInstaller } = await import('../install/service-installer.js');
    const config = configFromFlags(values);
    const installer = createAgentContainer(config, { isSea }).resolve(ServiceInstaller);
    await installer.install(
      config,
      (file) => writeServiceConfig(file, config, values),
      serviceEnvFromFlags(values),
    );
    return;
  }
  if (command === 'uninstall') {
    const { ServiceInstaller } = await import('../install/service-installer.js');
    const dataDir = values['data-dir'] ?? resolveDataDir(undefined);
    const problems = await createAgentContainer(undefined, { isSea })
      .resolve(ServiceInstaller)
      .uninstall(dataDir);
    for (const problem of problems) process.stderr.write(`deskrec-agent: ${problem}\n`);
    return;
  }
  if (command === 'status') {
    const dataDir = resolveDataDir(values.config ?? process.env.DESKREC_AGENT_CONFIG, {
      ...process.env,
      ...(values['data-dir'] ? { DESKREC_AGENT_DATA_DIR: values['data-dir'] } : {}),
    });
    const file = path.join(dataDir, 'status.json');
    if (!fs.existsSync(file)) fail(`no status yet in ${file}: is the agent running with this data folder?`);
    const text = fs.readFileSync(file, 'utf8');
    process.stdout.write(`${text}\n`);
    const age = (Date.now() - fs.statSync(file).mtimeMs) / 1000;
    // A running agent rewrites the file every 2 s; an old one means it stopped.
    if (age > 30)
      process.stdout.write(`(written ${Math.round(age)} s ago: the agent is probably not running)\n`);
    return;
  }
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig(values.config ?? process.env.DESKREC_AGENT_CONFIG);
  } catch (error) {
    if (error instanceof AgentConfigError) fail(error.message);
    throw error;
  }
  switch (command) {
    case 'run': {
      const daemon = createAgentContainer(config).resolve(AgentDaemon);
      await daemon.start();
      const shutdown = () => {
        void daemon.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return;
    }
    case 'enroll-info': {
      const identity = await loadOrCreateIdentity(config.dataDir);
      process.stdout.write(
        `Workstation id: ${identity.workstationId}\nComputer name:  ${config.computerName}\nController:     ${config.controller.primary}${config.controller.tls ? ' (TLS)' : ''}\nAfter the agent first connects, authorize this workstation in the portal under Workstations → Pending authorization.\n`,
      );
      return;
    }
    default:
      fail(`unknown command "${command}"; see deskrec-agent --help`);
  }
}

/** Errors that explain themselves (bad config, no display, no ffmpeg, a file it cannot read) need no stack. */
function isOperatorError(error: Error & { code?: string }): boolean {
  return (
    error instanceof AgentConfigError ||
    error.name === 'CaptureSetupError' ||
    (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code))
  );
}

main().catch((error: Error) => {
  if (isOperatorError(error) && !process.env.DESKREC_TRACE) fail(`cannot start: ${error.message}`);
  fail(error.stack ?? error.message);
});
