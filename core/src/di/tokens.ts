import type { Clock } from '../plugin/clock.js';
import type { PluginKind, PluginKinds } from '../plugin/kinds.js';
import type { Logger } from '../plugin/logger.js';
import type { PluginRegistry } from '../plugin/registry.js';

/**
 * A DI token: a symbol that carries the type registered under it. Host and agent register and inject with
 * these through their tsyringe containers (any symbol is a tsyringe token); core itself depends on no DI
 * library, and plugins never see one.
 */
export type Token<T> = symbol & { readonly __tokenOf?: T };

/** The type a token stands for. */
export type TokenType<K> = K extends Token<infer T> ? T : never;

/** Declares a token; `Symbol.for` so that two copies of core in one process still agree. */
export function token<T>(name: string): Token<T> {
  return Symbol.for(name) as Token<T>;
}

/** Explicit DI tokens: no decorator metadata is ever relied on (esbuild does not emit it). */
export const TOKENS = {
  Logger: token<Logger>('deskrec.Logger'),
  Clock: token<Clock>('deskrec.Clock'),
  PluginRegistry: token<PluginRegistry>('deskrec.PluginRegistry'),
} as const;

/** The token under which one loaded plugin instance is registered, e.g. `deskrec.storage:archive`. */
export function pluginToken<K extends PluginKind>(
  kind: K,
  instanceId: string,
): Token<PluginKinds[K]['port']> {
  return token<PluginKinds[K]['port']>(`deskrec.${kind}:${instanceId}`);
}
