import {
  type Logger,
  type PluginContext,
  type StorageTarget,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import plugin, { SftpStorageOptionsSchema } from '../../src/index.js';

/** Messages logged at warn level, to assert on warnings without a real logging backend. */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    ...silentLogger,
    warnings,
    warn(obj, msg) {
      warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
    },
    child: () => logger,
  };
  return logger;
}

/** A target made the way the host makes it: options validated by the plugin's schema, then create(). */
export async function createTarget(
  rawOptions: Record<string, unknown>,
  logger: Logger = silentLogger,
): Promise<StorageTarget> {
  const context: PluginContext = {
    logger,
    clock: systemClock,
    instanceId: 'test',
    dataDir: '/nonexistent',
    signal: new AbortController().signal,
  };
  return plugin.create(SftpStorageOptionsSchema.parse(rawOptions), context);
}
