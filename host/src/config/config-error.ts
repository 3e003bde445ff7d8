/** A configuration problem; the message names the file (or variable), the key path and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** How messages name the configuration: the file's name, or "configuration" when only defaults apply. */
export function configLabel(source: string): string {
  return source === 'defaults' ? 'configuration' : (source.split(/[\\/]/).pop() ?? source);
}
