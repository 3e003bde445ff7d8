/** Environment variables that override config keys, e.g. in containers. */
export const ENV_OVERRIDES: readonly {
  name: string;
  path: readonly string[];
  kind: 'string' | 'number' | 'boolean';
}[] = [
  { name: 'DESKREC_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { name: 'DESKREC_WEB_HOST', path: ['web', 'host'], kind: 'string' },
  { name: 'DESKREC_WEB_PORT', path: ['web', 'port'], kind: 'number' },
  { name: 'DESKREC_PUBLIC_URL', path: ['web', 'publicUrl'], kind: 'string' },
  { name: 'DATABASE_URL', path: ['database', 'url'], kind: 'string' },
  { name: 'DESKREC_CONTROLLER_TCP_PORT', path: ['controller', 'tcpPort'], kind: 'number' },
  { name: 'DESKREC_CONTROLLER_TLS_PORT', path: ['controller', 'tlsPort'], kind: 'number' },
  { name: 'DESKREC_LOG_LEVEL', path: ['log', 'level'], kind: 'number' },
  { name: 'DESKREC_TRACE_ENABLED', path: ['log', 'trace', 'enabled'], kind: 'boolean' },
  { name: 'DESKREC_TRACE_FILE', path: ['log', 'trace', 'file'], kind: 'string' },
  { name: 'DESKREC_TRACE_LEVEL', path: ['log', 'trace', 'level'], kind: 'number' },
];

/** Numbers and booleans are converted only when they look right, so the schema reports the raw text otherwise. */
function convert(raw: string, kind: 'string' | 'number' | 'boolean'): unknown {
  if (kind === 'number' && /^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  if (kind === 'boolean' && /^(true|1|yes|on)$/i.test(raw.trim())) return true;
  if (kind === 'boolean' && /^(false|0|no|off)$/i.test(raw.trim())) return false;
  return raw;
}

/** Writes each set variable into `target`; returns which key path came from which variable. */
export function applyEnvOverrides(
  target: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Map<string, string> {
  const origins = new Map<string, string>();
  for (const { name, path, kind } of ENV_OVERRIDES) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let node = target;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = convert(raw, kind);
    origins.set(path.join('.'), name);
  }
  return origins;
}
