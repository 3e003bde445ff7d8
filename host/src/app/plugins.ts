import {
  type Clock,
  type Logger,
  loadPlugins,
  PluginLoadError,
  PluginLoadErrors,
  type PluginManifest,
  type PluginRegistry,
  type PluginRequest,
  resolvePlugin,
} from '@deskrec/core';
import { ConfigError, configLabel } from '../config/config-error.js';
import { DEFAULT_STORAGE_KINDS, type HostConfig } from '../config/schema.js';

/** The id a plugin entry is known by, as core's loader derives it. */
export function entryId(entry: { use: string; id?: string | undefined }): string {
  return entry.id ?? entry.use.replace(/^.*\//, '').replace(/^(storage|pbx|capture|auth)-/, '');
}

function asConfigError(error: unknown, source: string): unknown {
  if (error instanceof PluginLoadErrors) {
    return new ConfigError(error.errors.map((e) => `${source}: ${e.message}`).join('\n'), { cause: error });
  }
  if (error instanceof PluginLoadError)
    return new ConfigError(`${source}: ${error.message}`, { cause: error });
  return error;
}

/**
 * Storage kinds admins may pick. Named in the config: each must resolve. Not named: the deskrec storage
 * plugins that are installed.
 */
export async function resolveStorageKinds(
  config: HostConfig,
  logger: Logger,
): Promise<Map<string, PluginManifest<'storage'>>> {
  const kinds = new Map<string, PluginManifest<'storage'>>();
  const source = configLabel(config.source);
  if (config.plugins.storage) {
    for (const [i, entry] of config.plugins.storage.entries()) {
      const id = entryId(entry);
      if (kinds.has(id)) {
        throw new ConfigError(
          `${source}: plugins.storage[${i}].id: "${id}" is listed twice; give each a distinct id`,
        );
      }
      try {
        kinds.set(
          id,
          (await resolvePlugin(
            'storage',
            entry.use,
            `plugins.storage[${i}].use`,
          )) as PluginManifest<'storage'>,
        );
      } catch (error) {
        throw asConfigError(error, source);
      }
    }
    return kinds;
  }
  for (const use of DEFAULT_STORAGE_KINDS) {
    try {
      kinds.set(
        use,
        (await resolvePlugin('storage', use, 'default storage kinds')) as PluginManifest<'storage'>,
      );
    } catch (error) {
      logger.debug({ kind: use, err: (error as Error).message }, 'Storage kind not offered');
    }
  }
  return kinds;
}

/** Loads the auth policy and the call-event sources (created, not started: the orchestrator starts them). */
export async function loadHostPlugins(
  config: HostConfig,
  options: { logger: Logger; clock: Clock; signal: AbortSignal },
): Promise<PluginRegistry> {
  const requests: PluginRequest[] = [
    { kind: 'auth', entry: config.plugins.auth, where: 'plugins.auth' },
    ...config.plugins.callEvents.map((entry, i) => ({
      kind: 'call-events' as const,
      entry,
      where: `plugins.callEvents[${i}]`,
    })),
  ];
  try {
    return await loadPlugins(requests, {
      logger: options.logger,
      clock: options.clock,
      dataDir: `${config.dataDir}/plugins`,
      signal: options.signal,
    });
  } catch (error) {
    throw asConfigError(error, configLabel(config.source));
  }
}

/** Closes every loaded plugin instance; failures are logged, never thrown (shutdown must finish). */
export async function disposePlugins(registry: PluginRegistry | undefined, logger: Logger): Promise<void> {
  if (!registry) return;
  for (const kind of ['call-events', 'auth'] as const) {
    for (const plugin of registry.list(kind)) {
      const instance = plugin.instance as { close?: () => Promise<void>; stop?: () => Promise<void> };
      await (instance.close ?? instance.stop)
        ?.call(instance)
        .catch((error: unknown) =>
          logger.warn({ plugin: plugin.id, err: String(error) }, 'Plugin did not close'),
        );
    }
  }
}
