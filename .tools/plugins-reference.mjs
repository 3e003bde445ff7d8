#!/usr/bin/env node
// Writes docs/plugins-reference.md from `deskrec-host plugins --markdown` (the built host), or with --check
// fails when the committed page differs from what the installed plugins' schemas say now.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const page = path.join(root, 'docs/plugins-reference.md');
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DESKREC_')));
const run = spawnSync(
  process.execPath,
  [path.join(root, 'host/dist/bin/deskrec-host.js'), 'plugins', '--markdown'],
  {
    cwd: root,
    env,
    encoding: 'utf8',
  },
);
if (run.status !== 0) {
  process.stderr.write(run.stderr || run.stdout);
  process.exit(run.status ?? 1);
}
if (process.argv.includes('--check')) {
  const current = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : '';
  if (current !== run.stdout) {
    console.error(
      'docs/plugins-reference.md is stale: run `node .tools/plugins-reference.mjs` and commit it',
    );
    process.exit(1);
  }
  console.log('docs/plugins-reference.md is current');
} else {
  fs.writeFileSync(page, run.stdout);
  console.log(`wrote ${path.relative(root, page)}`);
}
