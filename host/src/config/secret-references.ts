import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-error.js';

const ENV_REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
// `file://` URLs are values in their own right (a plugin's module URL), not references.
const FILE_REFERENCE = /^file:(?!\/\/)(.+)$/;

function keyPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}

/**
 * Replaces `${NAME}` with the environment variable (`$$` is a literal `$`) and a whole value `file:PATH` with
 * that file's content, trailing newline removed, so secrets need not sit in the config file. A missing
 * variable or unreadable file stops start-up naming the key; the value itself is never printed.
 */
export function resolveSecretReferences(
  node: unknown,
  env: NodeJS.ProcessEnv,
  baseDir: string,
  source: string,
  path: (string | number)[] = [],
): unknown {
  if (typeof node === 'string') return resolveString(node, env, baseDir, source, path);
  if (Array.isArray(node))
    return node.map((item, i) => resolveSecretReferences(item, env, baseDir, source, [...path, i]));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        resolveSecretReferences(value, env, baseDir, source, [...path, key]),
      ]),
    );
  }
  return node;
}

function resolveString(
  value: string,
  env: NodeJS.ProcessEnv,
  baseDir: string,
  source: string,
  path: (string | number)[],
): string {
  const file = FILE_REFERENCE.exec(value)?.[1]?.trim();
  if (file) {
    const full = isAbsolute(file) ? file : resolve(baseDir, file);
    try {
      return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        `${source}: ${keyPath(path)}: the file it refers to (${full}) cannot be read (${code}); create it or correct the path`,
      );
    }
  }
  return value.replace(ENV_REFERENCE, (_match, name: string | undefined) => {
    if (!name) return '$';
    const resolved = env[name];
    if (resolved === undefined) {
      throw new ConfigError(
        `${source}: ${keyPath(path)}: environment variable ${name} is not set; set it or write $\${${name}} for a literal text`,
      );
    }
    return resolved;
  });
}
