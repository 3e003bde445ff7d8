#!/usr/bin/env node
// Checks that every workspace package works from its `npm pack` tarball alone, as installed from a registry:
// packs them all, installs the tarballs into a temporary folder (no workspace links) without the network,
// and runs a smoke check per package. Source maps must carry their sources.
//
// Offline: third-party packages come from npm's cache at the versions of the root package-lock.json, which
// `npm ci` in the repository put there; a lockfile for the temporary folder is derived from it.
// Usage: node .tools/verify-packs.mjs [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-packs-'));
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DESKREC_')));
let failures = 0;

function sh(cmd, args, cwd, options = {}) {
  const result = spawnSync(cmd, args, { cwd, env: { ...env, ...options.env }, encoding: 'utf8' });
  return { code: result.status ?? 1, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function check(name, ok, detail = '') {
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `\n${detail.trim().split('\n').slice(-30).join('\n')}` : ''}`,
  );
  if (!ok) failures++;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

function workspaceDirs() {
  return readJson(path.join(root, 'package.json')).workspaces.flatMap((pattern) =>
    pattern.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, pattern.slice(0, -2)))
          .map((name) => `${pattern.slice(0, -2)}/${name}`)
          .filter((dir) => fs.existsSync(path.join(root, dir, 'package.json')))
      : [pattern],
  );
}

try {
  console.log('== build');
  execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    env: { ...env, TURBO_TELEMETRY_DISABLED: '1' },
    stdio: 'inherit',
  });

  console.log(`== pack into ${work}/pack`);
  const packDir = path.join(work, 'pack');
  fs.mkdirSync(packDir);
  const packages = [];
  for (const dir of workspaceDirs()) {
    const pkg = readJson(path.join(root, dir, 'package.json'));
    const packed = sh('npm', ['pack', '--silent', '--pack-destination', packDir], path.join(root, dir));
    check(`npm pack ${pkg.name}`, packed.code === 0, packed.out);
    if (packed.code !== 0) continue;
    packages.push({ dir, pkg, tarball: path.join(packDir, packed.out.trim().split('\n').pop()) });
  }

  console.log('== install the tarballs offline into a fresh folder');
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  // uvu is the kits' optional peer; a plugin author has it, so the check of @deskrec/core/testing does too.
  const extra = { uvu: readJson(path.join(root, 'node_modules/uvu/package.json')).version };
  const dependencies = {
    ...Object.fromEntries(packages.map((p) => [p.pkg.name, `file:${path.relative(app, p.tarball)}`])),
    ...extra,
  };
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'deskrec-packs-check', private: true, type: 'module', dependencies }, null, 2),
  );
  // The root lock's third-party entries, with deskrec's own packages pointing at the tarballs: npm then
  // needs no registry metadata, only the cached tarballs, and drops what nothing here depends on.
  const lock = readJson(path.join(root, 'package-lock.json'));
  const entries = { '': { name: 'deskrec-packs-check', dependencies } };
  const byName = new Map(packages.map((p) => [p.pkg.name, p]));
  // A workspace's own nested copies (a version that differs from the hoisted one) go under its installed
  // package; without them npm would have to ask the registry which version satisfies the tarball's range.
  const nestedIn = (key) => packages.find((p) => key.startsWith(`${p.dir}/node_modules/`));
  for (const [key, value] of Object.entries(lock.packages)) {
    const owner = nestedIn(key);
    if (owner && !value.link) {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = value;
      entries[`node_modules/${owner.pkg.name}/${key.slice(owner.dir.length + 1)}`] = rest;
      continue;
    }
    if (!key.startsWith('node_modules/')) continue;
    const name = key.slice('node_modules/'.length);
    const own = byName.get(name);
    if (own) {
      const { name: _n, devDependencies: _d, scripts: _s, ...rest } = lock.packages[own.dir];
      entries[key] = { ...rest, resolved: `file:${path.relative(app, own.tarball)}` };
    } else if (!value.link) {
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = value;
      entries[key] = rest;
    }
  }
  fs.writeFileSync(
    path.join(app, 'package-lock.json'),
    JSON.stringify(
      { name: 'deskrec-packs-check', lockfileVersion: 3, requires: true, packages: entries },
      null,
      2,
    ),
  );
  const install = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  check('npm install --offline from the tarballs', install.code === 0, install.out);
  if (install.code !== 0) throw new Error('install failed; nothing to check');
  for (const { pkg } of packages) {
    const installed = path.join(app, 'node_modules', pkg.name);
    check(
      `${pkg.name} is a real install, not a link`,
      fs.existsSync(installed) && !fs.lstatSync(installed).isSymbolicLink(),
    );
  }

  console.log('== smoke checks');
  let scripts = 0;
  // From a file, not `-e`: the host's embedded database runs on a worker thread, which inherits execArgv.
  const node = (label, script) => {
    const file = path.join(app, `check-${++scripts}.mjs`);
    fs.writeFileSync(file, script);
    const run = sh(process.execPath, [file], app);
    check(label, run.code === 0, run.out);
    return run.out;
  };
  const bin = (name, args, expect) => {
    const run = sh(path.join(app, 'node_modules/.bin', name), args, app);
    check(`${name} ${args.join(' ')}`, run.code === 0 && expect.test(run.out), run.out);
    return run.out;
  };

  node(
    '@deskrec/core and @deskrec/core/testing import',
    `const core = await import('@deskrec/core');
     const testing = await import('@deskrec/core/testing');
     for (const name of ['definePlugin', 'loadPlugins', 'CORE_API_VERSION']) if (!(name in core)) throw new Error('core lacks ' + name);
     for (const name of ['storageTargetKit', 'callEventSourceKit', 'captureBackendKit', 'authPolicyKit', 'startTestHost'])
       if (typeof testing[name] !== 'function') throw new Error('testing lacks ' + name);`,
  );

  for (const { pkg } of packages.filter((p) => p.dir.startsWith('plugins/'))) {
    const kind = { storage: 'storage', pbx: 'call-events', capture: 'capture', auth: 'auth' }[
      pkg.name.replace('@deskrec/', '').split('-')[0]
    ];
    node(
      `${pkg.name}: loads as a ${kind} plugin, every option described`,
      `import { resolvePlugin } from '@deskrec/core';
       import { z } from 'zod';
       const manifest = await resolvePlugin(${JSON.stringify(kind)}, ${JSON.stringify(pkg.name)}, 'verify-packs');
       if (manifest.version !== ${JSON.stringify(pkg.version)}) throw new Error('version ' + manifest.version);
       const schema = z.toJSONSchema(manifest.options, { io: 'input', unrepresentable: 'any' });
       const bare = Object.entries(schema.properties ?? {}).filter(([, s]) => !s.description).map(([k]) => k);
       if (bare.length) throw new Error('options without a description: ' + bare.join(', '));`,
    );
  }

  bin('deskrec-host', ['--help'], /deskrec-host plugins/);
  const listed = bin('deskrec-host', ['plugins', '--json'], /"plugins"/);
  const names = JSON.parse(listed).plugins.map((p) => p.package);
  const plugins = packages.filter((p) => p.dir.startsWith('plugins/')).map((p) => p.pkg.name);
  check(
    'deskrec-host plugins lists every packed plugin',
    plugins.every((name) => names.includes(name)),
    `listed: ${names.join(', ')}`,
  );
  bin('deskrec-agent', ['--help'], /deskrec-agent/);
  bin('create-deskrec-plugin', ['--help'], /--kind/);
  bin(
    'create-deskrec-plugin',
    ['--kind', 'storage', '--name', '@acme/deskrec-storage-x', '--dir', 'scaffolded'],
    /Created/,
  );

  node(
    'startTestHost runs @deskrec/storage-local in the packed host; Test connection answers ok',
    `import { startTestHost } from '@deskrec/core/testing';
     const host = await startTestHost({ plugin: '@deskrec/storage-local', id: 'disk', options: { root: 'recordings' } });
     try {
       const check = await host.api('POST', '/api/storage-targets/' + host.storageTargetId + '/test');
       if (check.status !== 200 || check.body.ok !== true) throw new Error(JSON.stringify(check));
     } finally {
       await host.stop();
     }`,
  );

  console.log('== source maps carry their sources');
  for (const { pkg } of packages) {
    const dist = path.join(app, 'node_modules', pkg.name, 'dist');
    const maps = fs.existsSync(dist)
      ? fs.readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith('.js.map'))
      : [];
    const missing = maps.filter((f) => {
      const map = readJson(path.join(dist, String(f)));
      return (
        !map.sourcesContent ||
        map.sourcesContent.length !== map.sources.length ||
        map.sourcesContent.some((s) => !s)
      );
    });
    check(
      `${pkg.name}: ${maps.length} source maps with sources`,
      maps.length > 0 && missing.length === 0,
      missing.join('\n'),
    );
  }
} catch (error) {
  check('verify-packs', false, error.stack ?? String(error));
} finally {
  if (keep) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

console.log(failures ? `verify-packs: ${failures} failed` : 'verify-packs: OK');
process.exitCode = failures ? 1 : 0;
