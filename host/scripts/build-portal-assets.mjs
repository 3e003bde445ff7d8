#!/usr/bin/env node
// Bundles the portal's browser code (src/portal/client, typechecked by its own tsconfig) and stylesheet into
// dist/portal-assets, which src/portal/assets.ts serves under content-hashed URLs. Runs in `npm run build`.
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const host = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${host}dist/portal-assets`;
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  absWorkingDir: host,
  entryPoints: {
    portal: 'src/portal/client/portal.ts',
    player: 'src/portal/client/player.ts',
    'portal-css': 'src/portal/client/portal.css',
  },
  outdir,
  bundle: true,
  format: 'iife',
  // The portal supports current evergreen browsers; nothing is transpiled below what they run.
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
