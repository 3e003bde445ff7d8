import { formatIssues } from '../util/zod-issues.js';
import type { PluginContext } from './context.js';
import type { PluginManifest } from './define-plugin.js';
import { PluginLoadError } from './errors.js';
import type { PluginKind, PluginKinds } from './kinds.js';
import { describeUnknownOptions, findUnknownOptions } from './unknown-options.js';

/**
 * Validates options with the plugin's schema; the error names the plugin and each option path. A key the
 * schema does not declare is an error too, with the nearest valid key.
 */
export function validatePluginOptions<K extends PluginKind>(
  manifest: PluginManifest<K>,
  options: unknown,
  where: string,
): unknown {
  const unknown = findUnknownOptions(manifest.options, options ?? {}, 'options');
  const parsed = manifest.options.safeParse(options ?? {});
  const problems = [
    ...(unknown.length ? [describeUnknownOptions(unknown)] : []),
    ...(parsed.success ? [] : [formatIssues(parsed.error, 'options')]),
  ];
  if (problems.length || !parsed.success) {
    throw new PluginLoadError(
      'invalid-options',
      `Invalid options for plugin "${manifest.id}" (${where}): ${problems.join('; ')}`,
    );
  }
  return parsed.data;
}

/** Validates options and calls the plugin's create(); failures become `PluginLoadError`s. */
export async function instantiatePlugin<K extends PluginKind>(
  manifest: PluginManifest<K>,
  options: unknown,
  context: PluginContext,
  where: string,
): Promise<PluginKinds[K]['port']> {
  const valid = validatePluginOptions(manifest, options, where);
  try {
    return await manifest.create(valid as never, context);
  } catch (error) {
    throw new PluginLoadError(
      'create-failed',
      `Plugin "${manifest.id}" (${where}) failed to start: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}

/** Option values with every declared secret replaced, safe for logs and API answers. */
export function redactSecrets(
  manifest: PluginManifest,
  options: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...options };
  for (const key of manifest.secrets ?? []) {
    if (out[key] !== undefined && out[key] !== '') out[key] = '********';
  }
  return out;
}
