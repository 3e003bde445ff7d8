#!/usr/bin/env node
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createHost } from '../app/create-host.js';
import { runPluginsCli } from '../cli/plugins-cli.js';
import { resetPassword } from '../cli/reset-password.js';
import { runVerifyCli } from '../cli/verify.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { runDemoCli } from '../demo/index.js';
import { runDoctorCli } from '../doctor/index.js';

const HELP = `Usage: deskrec-host start [--config <file>]
       deskrec-host doctor [--config <file>]
       deskrec-host demo
       deskrec-host admin reset-password --username <name> [--tenant <slug>] [--config <file>]
       deskrec-host plugins [--config <file>] [--json | --markdown]
       deskrec-host verify [--tenant <slug>] [--json] [--config <file>]
       deskrec-host --help

start   Starts the deskrec host: admin API and portal, database, plugins.
doctor  Checks configuration, database, storage, certificates, ports, data folder and disk; exit 1 on a failure.
demo    Runs a self-contained demo in ./.data/demo: host, simulated calls and a local agent.
admin reset-password
        Gives a portal account a new random password (printed once) and ends its sessions.
        With the embedded database, stop the host first.
plugins Lists the installed plugins (deskrec's own and those the config names) with their options.
verify  Reads back every stored segment (of one tenant or all) and checks it against the SHA-256 recorded at
        upload and the signed recording manifests; lists every problem, exit 1 on any.
        With the embedded database, stop the host first.

Options:
  -c, --config <file>  YAML or JSON configuration (default: $DESKREC_CONFIG, else built-in defaults)
  --json, --markdown   plugins: print JSON, or the Markdown of docs/plugins-reference.md
  --json               verify: print the report as JSON
  --tenant <slug>      admin reset-password: the account's tenant (default "default"); verify: only this tenant
  -h, --help           Show this help

Environment overrides: DESKREC_DATA_DIR, DESKREC_WEB_HOST, DESKREC_WEB_PORT, DESKREC_PUBLIC_URL,
DATABASE_URL, DESKREC_CONTROLLER_TCP_PORT, DESKREC_CONTROLLER_TLS_PORT, DESKREC_LOG_LEVEL (1-5),
DESKREC_TRACE_ENABLED, DESKREC_TRACE_FILE, DESKREC_TRACE_LEVEL (1-5).
Stop with Ctrl-C or SIGTERM.`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        username: { type: 'string' },
        tenant: { type: 'string' },
        json: { type: 'boolean' },
        markdown: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command === 'demo') return runDemoCli();
  if (command === 'admin') {
    const [, action] = parsed.positionals;
    const username = parsed.values.username as string | undefined;
    if (action !== 'reset-password' || !username) {
      process.stderr.write(`Usage: deskrec-host admin reset-password --username <name> [--tenant <slug>]\n`);
      return 2;
    }
    return resetPassword({
      username,
      tenant: (parsed.values.tenant as string | undefined) ?? 'default',
      ...(parsed.values.config ? { file: parsed.values.config as string } : {}),
    });
  }
  if (command === 'plugins') {
    const format = parsed.values.json ? 'json' : parsed.values.markdown ? 'markdown' : 'text';
    return runPluginsCli({
      format,
      ...(parsed.values.config ? { file: parsed.values.config as string } : {}),
    });
  }
  if (command === 'verify') {
    return runVerifyCli({
      json: Boolean(parsed.values.json),
      ...(parsed.values.tenant ? { tenant: parsed.values.tenant as string } : {}),
      ...(parsed.values.config ? { file: parsed.values.config as string } : {}),
    });
  }
  if (command === 'doctor') {
    return runDoctorCli(parsed.values.config ? { file: parsed.values.config as string } : {});
  }
  if (command !== 'start') {
    process.stderr.write(`${command ? `Unknown command "${command}"` : 'No command given'}.\n\n${HELP}\n`);
    return 2;
  }

  const config = loadConfig(parsed.values.config ? { file: parsed.values.config as string } : {});
  const host = createHost(config);
  const started = await host.start();
  if (started.firstStart) {
    const { username, password, tenantToken } = started.firstStart;
    // Shown once: the password and token are stored only as hashes.
    process.stdout.write(
      [
        '',
        '  deskrec host: first start. Write these down now, they are not shown again.',
        `    Sign in at:           ${started.url}`,
        `    Username:             ${username}`,
        `    Password:             ${password}`,
        `    Screen-recording token (for agent installs): ${tenantToken}`,
        '',
      ].join('\n'),
    );
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`\nReceived ${signal}; stopping...\n`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      host.stop().then(resolve, (error: unknown) => {
        process.stderr.write(`Stop failed: ${(error as Error).message}\n`);
        resolve();
      });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A configuration problem is the admin's to fix: print it alone, without a stack.
    const text = error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(
      `deskrec-host: ${error instanceof ConfigError ? 'configuration error\n' : ''}${text}\n`,
    );
    process.exitCode = 1;
  },
);
