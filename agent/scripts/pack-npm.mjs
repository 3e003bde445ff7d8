#!/usr/bin/env node
// Makes the npm-installable agent: `npm install -g deskrec-agent-<version>.tgz` gives a `deskrec-agent`
// command. The workspace package cannot be packed as it is (it depends on unpublished @deskrec/* packages),
// so the tarball holds the one-file bundle and depends only on @ffmpeg-installer/ffmpeg, which brings ffmpeg.
//
//   node agent/scripts/pack-npm.mjs [--out DIR]    prints the tarball path
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleAgent } from './bundle.mjs';

const agentDir = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(agentDir, 'build'));
const stage = path.join(out, 'npm');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(path.join(stage, 'bin'), { recursive: true });

const workspace = JSON.parse(fs.readFileSync(path.join(agentDir, 'package.json'), 'utf8'));
const ffmpegInstaller = JSON.parse(
  fs.readFileSync(path.join(agentDir, '../node_modules/@ffmpeg-installer/ffmpeg/package.json'), 'utf8'),
);
await bundleAgent(path.join(stage, 'bin', 'deskrec-agent.cjs'));
fs.chmodSync(path.join(stage, 'bin', 'deskrec-agent.cjs'), 0o755);
fs.copyFileSync(path.join(agentDir, 'README.md'), path.join(stage, 'README.md'));
fs.writeFileSync(
  path.join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: 'deskrec-agent',
      version: workspace.version,
      description: workspace.description,
      license: workspace.license,
      bin: { 'deskrec-agent': 'bin/deskrec-agent.cjs' },
      files: ['bin', 'README.md'],
      engines: { node: '>=20.12' },
      dependencies: { '@ffmpeg-installer/ffmpeg': `^${ffmpegInstaller.version}` },
    },
    null,
    2,
  )}\n`,
);
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
  cwd: stage,
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
console.log(path.join(out, name));
