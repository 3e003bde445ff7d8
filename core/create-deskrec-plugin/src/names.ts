/** The kinds a plugin can be, and the id prefix each kind's plugins carry. */
export const KINDS = ['storage', 'call-events', 'capture', 'auth'] as const;
export type Kind = (typeof KINDS)[number];

const ID_PREFIX: Record<Kind, string> = {
  storage: 'storage',
  'call-events': 'pbx',
  capture: 'capture',
  auth: 'auth',
};

/** npm's rules for a new package name: lowercase, URL-safe, optionally scoped, at most 214 characters. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

export function packageNameProblem(name: string): string | undefined {
  if (!name) return 'a package name is required, e.g. @acme/deskrec-storage-webdav';
  if (name.length > 214) return 'npm package names are at most 214 characters';
  if (!PACKAGE_NAME.test(name)) {
    return 'use lowercase letters, digits, "-", "." or "_", optionally scoped (@scope/name)';
  }
  return undefined;
}

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

/** The plugin id (`storage-webdav`) and the instance id a config uses by default (`webdav`). */
export function pluginIds(kind: Kind, packageName: string): { pluginId: string; shortId: string } {
  const prefix = ID_PREFIX[kind];
  const base = packageName
    .replace(/^@[^/]+\//, '')
    .replace(/^deskrec-/, '')
    .replace(/[^a-z0-9-]/g, '-');
  const pluginId = base.startsWith(`${prefix}-`) ? base : `${prefix}-${base}`;
  const shortId = pluginId.slice(prefix.length + 1).slice(0, 63) || prefix;
  return { pluginId, shortId };
}

/** A readable default title from the id: `storage-webdav` → `Webdav storage`. */
export function defaultTitle(kind: Kind, shortId: string): string {
  const words = shortId.replace(/-/g, ' ');
  const what = {
    storage: 'storage',
    'call-events': 'call events',
    capture: 'capture',
    auth: 'workstation policy',
  }[kind];
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} ${what}`;
}
