import { type PluginEntry, PluginEntrySchema } from '../config/plugin-entry.js';
import { formatIssues } from '../util/zod-issues.js';
import type { Clock } from './clock.js';
import type { PluginContext } from './context.js';
import type { PluginManifest } from './define-plugin.js';
import { PluginLoadError, PluginLoadErrors } from './errors.js';
import { instantiatePlugin, validatePluginOptions } from './instantiate.js';
import type { PluginKind } from './kinds.js';
import type { Logger } from './logger.js';
import { PluginRegistry } from './registry.js';
import { type ModuleImporter, resolvePlugin } from './resolve.js';

export interface PluginRequest {
  kind: PluginKind;
  entry: PluginEntry;
  /** Where the entry sits in the config, e.g. `plugins.storage[0]`; used in every error message. */
  where: string;
}

export interface LoadPluginsOptions {
  logger: Logger;
  clock: Clock;
  /** Folder under which each instance gets `<kind>-<id>/`. */
  dataDir: string;
  signal: AbortSignal;
  importer?: ModuleImporter;
}

async function disposeInstance(instance: unknown): Promise<void> {
  const closable = instance as {
    close?: () => Promise<void>;
    stop?: () => Promise<void>;
  };
  await (closable.close ?? closable.stop)?.call(closable).catch(() => undefined);
}

/**
 * Resolves, checks and validates every requested plugin first, and only then creates them: a config with
 * any problem starts nothing, and every problem is reported together.
 */
export async function loadPlugins(
  requests: PluginRequest[],
  options: LoadPluginsOptions,
): Promise<PluginRegistry> {
  const errors: PluginLoadError[] = [];
  const prepared: {
    request: PluginRequest;
    manifest: PluginManifest;
    id: string;
    options: unknown;
  }[] = [];
  const seen = new Map<string, string>();

  for (const request of requests) {
    const entry = PluginEntrySchema.safeParse(request.entry);
    if (!entry.success) {
      errors.push(
        new PluginLoadError(
          'invalid-options',
          `Invalid plugin entry ${request.where}: ${formatIssues(entry.error, request.where)}`,
        ),
      );
      continue;
    }
    try {
      const manifest = await resolvePlugin(
        request.kind,
        entry.data.use,
        `${request.where}.use`,
        options.importer,
      );
      const id =
        entry.data.id ?? entry.data.use.replace(/^.*\//, '').replace(/^(storage|pbx|capture|auth)-/, '');
      const key = `${request.kind}:${id}`;
      const previous = seen.get(key);
      if (previous) {
        throw new PluginLoadError(
          'duplicate-id',
          `Two ${request.kind} plugins have the id "${id}" (${previous} and ${request.where}); give each a distinct "id".`,
        );
      }
      seen.set(key, request.where);
      validatePluginOptions(manifest, entry.data.options, `${request.where}.options`);
      prepared.push({ request, manifest, id, options: entry.data.options });
    } catch (error) {
      errors.push(
        error instanceof PluginLoadError ? error : new PluginLoadError('unknown-plugin', String(error)),
      );
    }
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new PluginLoadErrors(errors);

  const registry = new PluginRegistry();
  const created: unknown[] = [];
  for (const { request, manifest, id, options: pluginOptions } of prepared) {
    const context: PluginContext = {
      logger: options.logger.child({ plugin: manifest.id, instance: id }),
      clock: options.clock,
      instanceId: id,
      dataDir: `${options.dataDir}/${request.kind}-${id}`,
      signal: options.signal,
    };
    try {
      const instance = await instantiatePlugin(manifest, pluginOptions, context, request.where);
      created.push(instance);
      registry.add({ kind: request.kind, id, manifest, instance });
    } catch (error) {
      await Promise.all(created.map(disposeInstance));
      throw error;
    }
  }
  return registry;
}
