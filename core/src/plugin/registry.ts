import type { PluginManifest } from './define-plugin.js';
import type { PluginKind, PluginKinds } from './kinds.js';

export interface LoadedPlugin<K extends PluginKind = PluginKind> {
  kind: K;
  id: string;
  manifest: PluginManifest<K>;
  instance: PluginKinds[K]['port'];
}

/** The loaded plugin instances, by kind and instance id. */
export class PluginRegistry {
  private readonly byKind = new Map<PluginKind, Map<string, LoadedPlugin>>();

  add<K extends PluginKind>(plugin: LoadedPlugin<K>): void {
    const map = this.byKind.get(plugin.kind) ?? new Map<string, LoadedPlugin>();
    this.byKind.set(plugin.kind, map);
    map.set(plugin.id, plugin as unknown as LoadedPlugin);
  }

  get<K extends PluginKind>(kind: K, id: string): PluginKinds[K]['port'] | undefined {
    return this.byKind.get(kind)?.get(id)?.instance as PluginKinds[K]['port'] | undefined;
  }

  list<K extends PluginKind>(kind: K): LoadedPlugin<K>[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as unknown as LoadedPlugin<K>[];
  }
}
