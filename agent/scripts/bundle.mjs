// Bundles the built agent CLI (dist/) into one CommonJS file with every dependency inlined, the input of both
// the single executable (Node SEA) and the npm-installable package. Only @ffmpeg-installer stays outside: it
// finds its platform binary by a computed require, so it is resolved at run time (npm) or replaced by the
// ffmpeg shipped beside the executable (SEA, through FFMPEG_PATH).
import path from 'node:path';
import { build } from 'esbuild';

export async function bundleAgent(outfile) {
  const agentDir = path.resolve(import.meta.dirname, '..');
  await build({
    entryPoints: [path.join(agentDir, 'dist/bin/deskrec-agent.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: false,
    legalComments: 'linked',
    logLevel: 'warning',
    external: ['@ffmpeg-installer/*', 'bufferutil', 'utf-8-validate'],
    // ESM code asks import.meta.url for its own location; in the CJS bundle that is the bundle file.
    define: { 'import.meta.url': '__deskrecImportMetaUrl' },
    // A single executable's own require loads built-in modules only (and warns otherwise); a real one
    // lets the optional packages (ws's bufferutil, @ffmpeg-installer) be looked for and found missing quietly.
    banner: {
      js: [
        'var require = module.constructor.createRequire(__filename);',
        "const __deskrecImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
      ].join('\n'),
    },
  });
  return outfile;
}
