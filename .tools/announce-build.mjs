#!/usr/bin/env node
// `npm start` and `npm run demo` build first; the first build takes about a minute, so say so before turbo's
// per-package lines start instead of leaving a silent terminal.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const built = fs.existsSync(path.join(root, 'host', 'dist', 'bin', 'deskrec-host.js'));
process.stdout.write(
  built
    ? 'deskrec: checking the build (seconds when nothing changed)...\n'
    : 'deskrec: first build of every package (about a minute on 2 cores); progress below...\n',
);
