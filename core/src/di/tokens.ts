import type { InjectionToken } from 'tsyringe';
import type { Clock } from '../plugin/clock.js';
import type { PluginKind, PluginKinds } from '../plugin/kinds.js';
import type { Logger } from '../plugin/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';

/** Explicit DI tokens: no decorator metadata is ever relied on (esbuild does not emit it). */
export const TOKENS = {
  Logger: Symbol.for('deskrec.Logger') as InjectionToken<Logger>,
  Clock: Symbol.for('deskrec.Clock') as InjectionToken<Clock>,
  PluginRegistry: Symbol.for('deskrec.PluginRegistry') as InjectionToken<PluginRegistry>,
} as const;

/** The token under which one loaded plugin instance is registered, e.g. `deskrec.storage:archive`. */
export function pluginToken<K extends PluginKind>(
  kind: K,
  instanceId: string,
): InjectionToken<PluginKinds[K]['port']> {
  return Symbol.for(`deskrec.${kind}:${instanceId}`) as InjectionToken<PluginKinds[K]['port']>;
}
