import fs from 'node:fs';
import { formatIssues } from '@deskrec/core';
import { parse as parseYaml } from 'yaml';
import { type AgentConfig, AgentConfigSchema } from './agent-config.js';

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

type Env = Record<string, string | undefined>;

const bool = (value: string, name: string) => {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new AgentConfigError(`${name}: expected 1 or 0, got "${value}"`);
};

/** Environment overrides, using the installer property names admins know (SERVER1, TENANT_TOKEN, USE_SSL). */
function fromEnv(env: Env): Record<string, unknown> {
  const pick = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const out: Record<string, unknown> = {};
  const controller: Record<string, unknown> = {};
  const primary = pick('DESKREC_SERVER1', 'DESKREC_PRIMARY');
  const secondary = pick('DESKREC_SERVER2', 'DESKREC_SECONDARY');
  const tls = pick('DESKREC_USE_SSL', 'DESKREC_USE_TLS');
  const fingerprint = pick('DESKREC_FINGERPRINT');
  if (primary) controller.primary = primary;
  if (secondary) controller.secondary = secondary;
  if (tls !== undefined) controller.tls = bool(tls, 'DESKREC_USE_SSL');
  if (fingerprint) controller.fingerprint = fingerprint;
  const caFile = pick('DESKREC_CA_FILE');
  const tlsCert = pick('DESKREC_TLS_CERT');
  const tlsKey = pick('DESKREC_TLS_KEY');
  if (caFile) controller.caFile = caFile;
  if (tlsCert) controller.tlsCert = tlsCert;
  if (tlsKey) controller.tlsKey = tlsKey;
  if (Object.keys(controller).length) out.controller = controller;
  const token = pick('DESKREC_TENANT_TOKEN');
  if (token) out.tenantToken = token;
  const dataDir = pick('DESKREC_AGENT_DATA_DIR');
  if (dataDir) out.dataDir = dataDir;
  const login = pick('DESKREC_LOGIN');
  if (login) out.login = login;
  const trace = pick('DESKREC_TRACE');
  if (trace !== undefined) out.log = { trace: bool(trace, 'DESKREC_TRACE') };
  return out;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function readConfigFile(file: string | undefined): Record<string, unknown> {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new AgentConfigError(
        `${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    try {
      const parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
        throw new Error('top level must be a mapping');
      fromFile = parsed ?? {};
    } catch (error) {
      throw new AgentConfigError(
        `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      );
    }
  }
  return fromFile;
}

/** Reads the optional config file (JSON or YAML), applies the environment, validates; errors name file and key. */
export function loadAgentConfig(file: string | undefined, env: Env = process.env): AgentConfig {
  const where = file ?? 'environment';
  const result = AgentConfigSchema.safeParse(merge(readConfigFile(file), fromEnv(env)));
  if (!result.success) {
    throw new AgentConfigError(
      `${where}: ${formatIssues(result.error)}. Set these in the config file or as DESKREC_SERVER1 / DESKREC_TENANT_TOKEN / DESKREC_USE_SSL.`,
    );
  }
  return result.data;
}

/**
 * Only the data folder, for commands that read what a running agent wrote (`status`): they work without the
 * controller address or the token. Precedence as for the full config: environment, then file, then default.
 */
export function resolveDataDir(file: string | undefined, env: Env = process.env): string {
  const fromEnvDir = env.DESKREC_AGENT_DATA_DIR;
  if (fromEnvDir) return fromEnvDir;
  const fromFile = readConfigFile(file).dataDir;
  if (fromFile !== undefined && (typeof fromFile !== 'string' || !fromFile))
    throw new AgentConfigError(`${file}: dataDir: expected a folder path`);
  return (fromFile as string | undefined) ?? AgentConfigSchema.shape.dataDir.parse(undefined);
}
