import { readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { applyEnvOverrides } from './env.js';
import { type HostConfig, HostConfigSchema } from './schema.js';
import { resolveSecretReferences } from './secret-references.js';

export interface LoadConfigOptions {
  /** Path given with --config; falls back to DESKREC_CONFIG; none means defaults only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths; the working directory by default. */
  cwd?: string;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** One line per problem: `file: key.path: what is expected, got <value>`. */
function formatProblems(
  error: z.ZodError,
  raw: unknown,
  source: string,
  origins: Map<string, string>,
): string {
  return error.issues
    .map((issue) => {
      const path = keyPath(issue.path);
      const where = origins.has(path) ? `${origins.get(path)} (${path})` : `${source}: ${path || '(root)'}`;
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ');
        return `${source}: ${keys}: unknown key; remove it or check its spelling (see README "Configuration")`;
      }
      const got = valueAt(raw, issue.path);
      return `${where}: ${issue.message}, got ${describeValue(got)}`;
    })
    .join('\n');
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : `it cannot be read (${code})`;
    throw new ConfigError(`${file}: ${why}; pass an existing file with --config or DESKREC_CONFIG`);
  }
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both formats.
    const parsed: unknown = parseYaml(text, { prettyErrors: true });
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(
        `${basename(file)}: expected a mapping of keys at the top level, got ${describeValue(parsed)}`,
      );
    }
    return parsed;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const line = error instanceof YAMLParseError ? ` at line ${error.linePos?.[0]?.line ?? '?'}` : '';
    const first = String((error as Error).message).split('\n')[0];
    throw new ConfigError(`${basename(file)}: not valid YAML or JSON${line}: ${first}`);
  }
}

/** Reads, overrides from the environment, validates and completes the host configuration. */
export function loadConfig(options: LoadConfigOptions = {}): HostConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env.DESKREC_CONFIG;
  const path = file ? resolve(cwd, file) : undefined;
  const source = path ? basename(path) : 'configuration';
  const raw = (
    path ? resolveSecretReferences(readConfigFile(path), env, resolve(path, '..'), source) : {}
  ) as Record<string, unknown>;
  const origins = applyEnvOverrides(raw, env);
  const parsed = HostConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatProblems(parsed.error, raw, source, origins));

  const config = parsed.data;
  // Relative paths in a file are relative to that file, so a config works from any working directory.
  const base = path ? resolve(path, '..') : cwd;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const dataDir = abs(config.dataDir);
  return {
    ...config,
    source: path ?? 'defaults',
    dataDir,
    controller: {
      ...config.controller,
      tlsKeyFile: abs(config.controller.tlsKeyFile ?? `${dataDir}/tls/key.pem`),
      tlsCertFile: abs(config.controller.tlsCertFile ?? `${dataDir}/tls/cert.pem`),
      ...(config.controller.tlsCaFile ? { tlsCaFile: abs(config.controller.tlsCaFile) } : {}),
    },
    log: {
      ...config.log,
      trace: { ...config.log.trace, file: abs(config.log.trace.file ?? `${dataDir}/logs/host.log`) },
    },
  };
}
