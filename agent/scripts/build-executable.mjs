#!/usr/bin/env node
// Builds the self-contained agent: dist/ bundled by esbuild, turned into a Node single executable
// application (node --experimental-sea-config + postject), with ffmpeg from @ffmpeg-installer beside it.
//
//   node agent/scripts/build-executable.mjs [--node PATH] [--target linux-x64|win32-x64|darwin-arm64|...]
//                                           [--out DIR] [--ffmpeg PATH]
//
// --node is the Node 20 binary of the TARGET platform (default: this one, so the target is this machine).
// The SEA blob is made by the Node running this script; it must be the same version as --node.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleAgent } from './bundle.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const agentDir = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    target: { type: 'string' },
    out: { type: 'string' },
    ffmpeg: { type: 'string' },
  },
});
const target = values.target ?? `${process.platform}-${process.arch}`;
const [platform] = target.split('-');
const nodeBinary = values.node ?? process.execPath;
const out = path.resolve(values.out ?? path.join(agentDir, 'build', target));
const exe = path.join(out, platform === 'win32' ? 'deskrec-agent.exe' : 'deskrec-agent');

if (!fs.readFileSync(nodeBinary).includes(FUSE))
  throw new Error(`${nodeBinary} has no SEA fuse: use an official Node 20 binary for ${target}`);
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const work = fs.mkdtempSync(path.join(out, '.work-'));

const bundle = await bundleAgent(path.join(work, 'deskrec-agent.cjs'));
const blob = path.join(work, 'sea-prep.blob');
fs.writeFileSync(
  path.join(work, 'sea-config.json'),
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }),
);
execFileSync(process.execPath, ['--experimental-sea-config', path.join(work, 'sea-config.json')], {
  stdio: 'inherit',
});

fs.copyFileSync(nodeBinary, exe);
fs.chmodSync(exe, 0o755);
if (platform === 'darwin' && process.platform === 'darwin')
  execFileSync('codesign', ['--remove-signature', exe]);
execFileSync(
  process.execPath,
  [
    require.resolve('postject/dist/cli.js'),
    exe,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    FUSE,
    ...(platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (platform === 'darwin' && process.platform === 'darwin') execFileSync('codesign', ['--sign', '-', exe]);

// ffmpeg beside the executable: the one given, else @ffmpeg-installer's package for the target.
let ffmpeg = values.ffmpeg;
if (!ffmpeg) {
  try {
    const pkg = path.dirname(require.resolve(`@ffmpeg-installer/${target}/package.json`));
    ffmpeg = path.join(pkg, platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
  } catch {
    console.warn(`@ffmpeg-installer/${target} is not installed here: pass --ffmpeg PATH for ${target}`);
  }
}
if (ffmpeg) {
  const to = path.join(out, path.basename(ffmpeg));
  fs.copyFileSync(ffmpeg, to);
  fs.chmodSync(to, 0o755);
}
fs.rmSync(work, { recursive: true, force: true });
if (platform === 'win32')
  console.log(`for the Windows service, put WinSW-x64.exe into ${out} as deskrec-agent-service.exe`);
console.log(
  `built ${exe} (${Math.round(fs.statSync(exe).size / 1e6)} MB)${ffmpeg ? ' with ffmpeg beside it' : ''}`,
);
