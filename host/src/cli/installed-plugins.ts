import {
  candidatePackages,
  type PluginKind,
  PluginLoadError,
  type PluginManifest,
  resolvePlugin,
} from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import { type OptionRow, optionsReference } from './options-reference.js';

/** deskrec's own plugins, by kind and short name; those installed beside the host are listed. */
export const BUILT_IN_PLUGINS: readonly { kind: PluginKind; use: string }[] = [
  { kind: 'storage', use: 'local' },
  { kind: 'storage', use: 'ftp' },
  { kind: 'storage', use: 'sftp' },
  { kind: 'storage', use: 's3' },
  { kind: 'call-events', use: 'asterisk' },
  { kind: 'call-events', use: 'freeswitch' },
  { kind: 'call-events', use: 'webhook' },
  { kind: 'call-events', use: 'simulator' },
  { kind: 'call-events', use: 'siprec' },
  { kind: 'auth', use: 'token' },
  { kind: 'capture', use: 'ffmpeg' },
];

export interface InstalledPlugin {
  /** The npm package the host imported. */
  package: string;
  kind: PluginKind;
  /** The plugin's own id (`storage-local`). */
  id: string;
  version: string;
  apiVersion: string;
  title: string;
  /** `built-in` for deskrec's own; otherwise the config key that names it. */
  source: string;
  capabilities: Record<string, unknown>;
  secrets: string[];
  options: OptionRow[];
}

export interface PluginProblem {
  kind: PluginKind;
  use: string;
  where: string;
  message: string;
}

export interface PluginsListing {
  plugins: InstalledPlugin[];
  /** Plugins the config names that cannot be loaded. */
  problems: PluginProblem[];
}

const KIND_ORDER: readonly PluginKind[] = ['storage', 'call-events', 'auth', 'capture'];

async function find(
  kind: PluginKind,
  use: string,
  where: string,
): Promise<{ package: string; manifest: PluginManifest } | undefined> {
  for (const candidate of candidatePackages(kind, use)) {
    try {
      return { package: candidate, manifest: await resolvePlugin(kind, candidate, where) };
    } catch (error) {
      const notFound = error instanceof PluginLoadError && error.message.includes('was not found');
      if (!notFound) throw error;
    }
  }
  return undefined;
}

function describe(found: { package: string; manifest: PluginManifest }, source: string): InstalledPlugin {
  const { manifest } = found;
  return {
    package: found.package,
    kind: manifest.kind,
    id: manifest.id,
    version: manifest.version,
    apiVersion: manifest.apiVersion,
    title: manifest.title,
    source,
    capabilities: { ...manifest.capabilities },
    secrets: [...(manifest.secrets ?? [])],
    options: optionsReference(manifest.options, manifest.secrets),
  };
}

/** The plugins a config names, each with the config key it sits under. */
function configured(config: HostConfig): { kind: PluginKind; use: string; where: string }[] {
  return [
    ...(config.plugins.storage ?? []).map((e, i) => ({
      kind: 'storage' as const,
      use: e.use,
      where: `plugins.storage[${i}]`,
    })),
    ...config.plugins.callEvents.map((e, i) => ({
      kind: 'call-events' as const,
      use: e.use,
      where: `plugins.callEvents[${i}]`,
    })),
    { kind: 'auth', use: config.plugins.auth.use, where: 'plugins.auth' },
  ];
}

/**
 * deskrec's installed plugins, then every other plugin the config names. Each package appears once; one
 * the config names but that cannot be loaded is a problem, a missing built-in is simply not listed.
 */
export async function listInstalledPlugins(config?: HostConfig): Promise<PluginsListing> {
  const byPackage = new Map<string, InstalledPlugin>();
  const problems: PluginProblem[] = [];
  for (const { kind, use } of BUILT_IN_PLUGINS) {
    const found = await find(kind, use, 'built-in plugins').catch(() => undefined);
    if (found) byPackage.set(found.package, describe(found, 'built-in'));
  }
  for (const { kind, use, where } of config ? configured(config) : []) {
    try {
      const found = await find(kind, use, `${where}.use`);
      if (!found) {
        const tried = candidatePackages(kind, use).join(', ');
        problems.push({ kind, use, where, message: `not installed (tried ${tried})` });
        continue;
      }
      if (!byPackage.has(found.package)) byPackage.set(found.package, describe(found, where));
    } catch (error) {
      problems.push({ kind, use, where, message: (error as Error).message });
    }
  }
  const plugins = [...byPackage.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.package.localeCompare(b.package),
  );
  return { plugins, problems };
}
