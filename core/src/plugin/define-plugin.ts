import type { z } from 'zod';
import type { PluginContext } from './context.js';
import type { PluginKind, PluginKinds } from './kinds.js';

/** Marks an object as a deskrec plugin manifest, so the loader can tell it from any other default export. */
export const PLUGIN_MANIFEST = Symbol.for('deskrec.plugin-manifest');

export interface PluginDefinition<K extends PluginKind, S extends z.ZodType> {
  /** Stable id, e.g. `storage-s3`. Used in logs, errors and config. */
  id: string;
  kind: K;
  /** The plugin's own package version. */
  version: string;
  /** Semver range of core's plugin API this plugin was built for, e.g. `^1.0.0`. */
  apiVersion: string;
  /** One line for admins: shown in the portal next to the plugin's name. */
  title: string;
  /** Options schema; every key should be `.describe()`d, the portal turns descriptions into help texts. */
  options: S;
  /** Option keys that are secrets: never logged, never returned by the API in full. */
  secrets?: readonly string[];
  capabilities: PluginKinds[K]['capabilities'];
  create(
    options: z.output<S>,
    context: PluginContext,
  ): PluginKinds[K]['port'] | Promise<PluginKinds[K]['port']>;
}

export type PluginManifest<K extends PluginKind = PluginKind, S extends z.ZodType = z.ZodType> = Readonly<
  PluginDefinition<K, S>
> & { readonly [PLUGIN_MANIFEST]: true };

/** The one way to declare a plugin of any kind. A plugin package default-exports the result. */
export function definePlugin<K extends PluginKind, S extends z.ZodType>(
  definition: PluginDefinition<K, S>,
): PluginManifest<K, S> {
  return Object.freeze({ ...definition, [PLUGIN_MANIFEST]: true as const });
}

export function isPluginManifest(value: unknown): value is PluginManifest {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[PLUGIN_MANIFEST] === true
  );
}
