import { type LoadConfigOptions, loadConfig } from '../config/load-config.js';
import { listInstalledPlugins } from './installed-plugins.js';
import { formatPluginsMarkdown, formatPluginsText } from './plugins-format.js';

export interface PluginsCliOptions extends LoadConfigOptions {
  format?: 'text' | 'json' | 'markdown';
  out?: { write(text: string): unknown };
}

/** `deskrec-host plugins`: the installed plugins and their options; exit 1 when one the config names cannot be loaded. */
export async function runPluginsCli(options: PluginsCliOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const config = loadConfig(options);
  const listing = await listInstalledPlugins(config);
  const format = options.format ?? 'text';
  if (format === 'json') out.write(`${JSON.stringify(listing, null, 2)}\n`);
  else if (format === 'markdown') out.write(formatPluginsMarkdown(listing));
  else out.write(`${formatPluginsText(listing)}\n`);
  return listing.problems.length ? 1 : 0;
}
