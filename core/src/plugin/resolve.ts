import semver from 'semver';
import { CORE_API_VERSION } from './api-version.js';
import { isPluginManifest, type PluginManifest } from './define-plugin.js';
import { PluginLoadError } from './errors.js';
import { KIND_PACKAGE_PREFIX, type PluginKind } from './kinds.js';

export type ModuleImporter = (specifier: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/** Package names tried for a `use` value: a short name expands to the deskrec package of that kind first. */
export function candidatePackages(kind: PluginKind, use: string): string[] {
  const isShort = /^[a-z0-9][a-z0-9-]*$/.test(use) && !use.startsWith('deskrec-');
  return isShort ? [`${KIND_PACKAGE_PREFIX[kind]}${use}`, use] : [use];
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: string })?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String((error as Error).message).includes(specifier)
  );
}

/** Finds, imports and checks a plugin package: right kind, a real manifest, a compatible API range. */
export async function resolvePlugin(
  kind: PluginKind,
  use: string,
  where: string,
  importer: ModuleImporter = defaultImporter,
): Promise<PluginManifest> {
  const tried = candidatePackages(kind, use);
  for (const specifier of tried) {
    let mod: unknown;
    try {
      mod = await importer(specifier);
    } catch (error) {
      if (isModuleNotFound(error, specifier)) continue;
      throw new PluginLoadError(
        'unknown-plugin',
        `Plugin package "${specifier}" (${where}) failed to load: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const manifest = (mod as { default?: unknown })?.default;
    if (!isPluginManifest(manifest)) {
      throw new PluginLoadError(
        'not-a-plugin',
        `Package "${specifier}" (${where}) is not a deskrec plugin: its default export was not made with definePlugin() from @deskrec/core.`,
      );
    }
    if (manifest.kind !== kind) {
      throw new PluginLoadError(
        'kind-mismatch',
        `Package "${specifier}" (${where}) provides a "${manifest.kind}" plugin, but a "${kind}" plugin is expected here.`,
      );
    }
    if (!semver.validRange(manifest.apiVersion) || !semver.satisfies(CORE_API_VERSION, manifest.apiVersion)) {
      throw new PluginLoadError(
        'api-version',
        `Plugin "${manifest.id}" ${manifest.version} (${where}) targets deskrec plugin API "${manifest.apiVersion}", but this @deskrec/core provides API ${CORE_API_VERSION}. Install a version of the plugin built for API ${CORE_API_VERSION}.`,
      );
    }
    return manifest;
  }
  throw new PluginLoadError(
    'unknown-plugin',
    `Plugin "${use}" (${where}) was not found: tried ${tried.map((t) => `"${t}"`).join(', ')}. Install the package with npm or correct the name.`,
  );
}
