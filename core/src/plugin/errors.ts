export type PluginLoadErrorCode =
  | 'unknown-plugin'
  | 'not-a-plugin'
  | 'api-version'
  | 'kind-mismatch'
  | 'invalid-options'
  | 'create-failed'
  | 'duplicate-id';

/** Why a plugin could not be loaded; the message names the plugin, the config path and what was expected. */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
  constructor(
    readonly code: PluginLoadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Several plugins failed; all problems are reported at once so an admin fixes them in one go. */
export class PluginLoadErrors extends Error {
  override readonly name = 'PluginLoadErrors';
  constructor(readonly errors: PluginLoadError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}
