import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** What a plugin's create() receives besides its options. Plugins never see the DI container itself. */
export interface PluginContext {
  /** Logger already bound to the plugin id. */
  logger: Logger;
  clock: Clock;
  /** The instance id from configuration (several instances of one plugin may run side by side). */
  instanceId: string;
  /** A folder the plugin may keep state in (created by the host or agent). */
  dataDir: string;
  /** Aborted when the host or agent shuts down. */
  signal: AbortSignal;
}
