/**
 * The version of the plugin API that this build of core implements. Plugins declare the semver range of
 * this API they were built for; the loader refuses a plugin whose range does not include it.
 */
export const CORE_API_VERSION = '1.0.0';
