#!/usr/bin/env node
// Runs what `npm test` promises: build, typecheck, lint, then every workspace's uvu tests one package at a
// time (suites start real servers, embedded databases and ffmpeg; their ports are ephemeral, but side by side
// they would compete for the machine's cores and memory), and closes with one "N passed, M failed" line,
// which uvu does not print itself. `--system` runs the same suites against Debian-packaged peers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const system = process.argv.includes('--system');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};
if (system) env.DESKREC_TEST_SYSTEM = '1';

function run(cmd, args, cwd = root) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const take = (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const strip = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
const summary = [];
// A failing package's last lines are repeated next to the summary, so a log cut to its tail still shows why.
const failures = [];

async function check(name, cmd, args) {
  console.log(`\n=== ${name}`);
  const { code } = await run(cmd, args);
  if (code === 0) passed++;
  else failed++;
  summary.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${name}`);
  return code === 0;
}

const built = await check('build', 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
// The system run repeats the suites only; typecheck and lint already ran in `npm test`.
if (!only.length && !system) {
  await check('typecheck (tsc -b, tests included)', 'npm', ['run', '--silent', 'typecheck']);
  await check('lint and format (biome)', 'npx', ['biome', 'check', '.']);
}

const workspaces = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces.flatMap(
  (pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const dir = pattern.slice(0, -2);
    return fs
      .readdirSync(path.join(root, dir))
      .map((name) => `${dir}/${name}`)
      .sort();
  },
);

for (const ws of workspaces) {
  if (!built) break;
  if (only.length && !only.some((o) => ws.includes(o))) continue;
  const pkgFile = path.join(root, ws, 'package.json');
  if (!fs.existsSync(pkgFile)) continue;
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const testDir = path.join(root, ws, 'test');
  if (
    !pkg.scripts?.test ||
    !fs.existsSync(testDir) ||
    !fs.readdirSync(testDir, { recursive: true }).some((f) => String(f).endsWith('.test.ts'))
  )
    continue;
  console.log(`\n=== ${pkg.name}`);
  const { code, out } = await run('npm', ['run', '--silent', 'test'], path.join(root, ws));
  const text = strip(out);
  const sum = (re) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const total = sum(/Total:\s+(\d+)/g);
  const ok = sum(/Passed:\s+(\d+)/g);
  const skipped = sum(/Skipped:\s+(\d+)/g);
  let bad = Math.max(0, total - ok);
  if (code !== 0 && bad === 0) bad = 1;
  passed += ok;
  failed += bad;
  if (bad)
    failures.push(
      `--- ${pkg.name} (exit ${code}), last lines:\n${text
        .trimEnd()
        .split('\n')
        .filter((line) => !line.startsWith('npm error'))
        .slice(-30)
        .join('\n')}`,
    );
  summary.push(
    `${bad ? 'FAIL' : 'ok  '} ${pkg.name}: ${ok} passed, ${bad} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
}

console.log(`\n${summary.join('\n')}\n`);
for (const failure of failures) console.log(`${failure}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
