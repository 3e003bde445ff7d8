/**
 * Scaffolds each kind into a temporary folder, installs the packed @deskrec/core there from its tarball (no
 * workspace link, no registry), and runs the generated package's own build, typecheck and tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli.js';
import type { Kind } from '../src/names.js';

const repo = join(import.meta.dirname, '../../..');
const KINDS_TESTED: readonly { kind: Kind; name: string }[] = [
  { kind: 'storage', name: '@acme/deskrec-storage-sample' },
  { kind: 'call-events', name: '@acme/deskrec-pbx-sample' },
  { kind: 'auth', name: 'deskrec-auth-sample' },
  { kind: 'capture', name: '@acme/deskrec-capture-sample' },
];

function run(cmd: string, args: string[], cwd: string) {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** deskrec packages a scaffold uses, by package name, and the folder each is packed from. */
const PACKED: Record<string, string> = {
  '@deskrec/core': 'core',
  '@deskrec/capture-ffmpeg': 'plugins/capture-ffmpeg',
  // startTestHost's host, and the plugins the host itself depends on.
  '@deskrec/host': 'host',
  '@deskrec/auth-token': 'plugins/auth-token',
  '@deskrec/pbx-simulator': 'plugins/pbx-simulator',
  '@deskrec/pbx-webhook': 'plugins/pbx-webhook',
  '@deskrec/storage-local': 'plugins/storage-local',
};

const test = suite<{ work: string; tarballs: Map<string, string> }>('scaffolded plugins pass their kits');

test.before(async (ctx) => {
  ctx.work = await mkdtemp(join(tmpdir(), 'create-deskrec-plugin-'));
  ctx.tarballs = new Map();
  for (const [name, folder] of Object.entries(PACKED)) {
    const packed = run('npm', ['pack', '--silent', '--pack-destination', ctx.work], join(repo, folder));
    assert.is(packed.code, 0, packed.output);
    ctx.tarballs.set(name, join(ctx.work, packed.output.trim().split('\n').pop()!));
  }
});
test.after(async (ctx) => rm(ctx.work, { recursive: true, force: true }));

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * deskrec's tarballs are unpacked into node_modules as npm places packages; the third-party packages the
 * plugin and they need are linked from the repository's node_modules, so the test needs no registry.
 */
async function installOffline(dir: string, tarballs: Map<string, string>): Promise<void> {
  const pkg = readJson(join(dir, 'package.json'));
  const thirdParty = new Set<string>();
  const queue = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const unpacked = new Set<string>();
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const tarball = tarballs.get(name);
    if (!tarball) {
      thirdParty.add(name);
      continue;
    }
    if (unpacked.has(name)) continue;
    unpacked.add(name);
    const target = join(dir, 'node_modules', name);
    await mkdir(target, { recursive: true });
    const untar = run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], dir);
    assert.is(untar.code, 0, untar.output);
    queue.push(...Object.keys(readJson(join(target, 'package.json')).dependencies ?? {}));
  }
  for (const dep of thirdParty) {
    const link = join(dir, 'node_modules', dep);
    await mkdir(join(link, '..'), { recursive: true });
    await symlink(join(repo, 'node_modules', dep), link, 'dir');
  }
  await mkdir(join(dir, 'node_modules/.bin'));
  for (const bin of ['tsc', 'tsx', 'uvu']) {
    await symlink(join(repo, 'node_modules/.bin', bin), join(dir, 'node_modules/.bin', bin));
  }
}

for (const { kind, name } of KINDS_TESTED) {
  test(`${kind}: ${name} builds, typechecks and passes its tests`, async ({ work, tarballs }) => {
    const dir = join(work, kind);
    const out: string[] = [];
    const code = await runCli(['--kind', kind, '--name', name, '--dir', dir], {
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => out.push(t) },
    });
    assert.is(code, 0, out.join(''));
    for (const file of [
      'src/index.ts',
      'src/options.ts',
      'test/conformance.test.ts',
      'README.md',
      'CHANGELOG.md',
    ]) {
      assert.ok(existsSync(join(dir, file)), `${file} is written`);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.is(pkg.name, name);
    assert.is(pkg.peerDependencies['@deskrec/core'], '^0.1.0');
    assert.match(readFileSync(join(dir, 'src/index.ts'), 'utf8'), "apiVersion: '^1.0.0'");
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /\| option +\| type/);
    assert.not.match(
      (await readdir(join(dir, 'src'))).join(' ') + readFileSync(join(dir, 'src/index.ts'), 'utf8'),
      /__[A-Z_]+__/,
      'every placeholder is filled',
    );

    await installOffline(dir, tarballs);
    for (const script of ['build', 'typecheck', 'test']) {
      const result = run('npm', ['run', '--silent', script], dir);
      assert.is(result.code, 0, `npm run ${script} in the ${kind} plugin:\n${result.output.slice(-4000)}`);
      if (script === 'test') {
        assert.match(result.output, /Passed:\s+[1-9]/);
      }
    }
    const built = await import(join(dir, 'dist/index.js'));
    assert.is(built.default.kind, kind);
  });
}

test('storage: the scaffolded plugin inside a real host (startTestHost from the packed core and host)', async ({
  work,
  tarballs,
}) => {
  const dir = join(work, 'storage');
  // What an author does: add the host as a dev dependency and write a test against it.
  const pkg = readJson(join(dir, 'package.json'));
  pkg.devDependencies['@deskrec/host'] = '^0.1.0';
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  await rm(join(dir, 'node_modules'), { recursive: true, force: true });
  await installOffline(dir, tarballs);
  await writeFile(
    join(dir, 'test/in-host.test.ts'),
    [
      "import { startTestHost } from '@deskrec/core/testing';",
      "import { test } from 'uvu';",
      "import * as assert from 'uvu/assert';",
      "import plugin from '../src/index.js';",
      '',
      "test('Test connection through the admin API', async () => {",
      "  const host = await startTestHost({ plugin, options: { root: 'recordings-under-test' } });",
      '  try {',
      "    const check = await host.api('POST', '/api/storage-targets/' + host.storageTargetId + '/test');",
      '    assert.is(check.body.ok, true, check.body.message);',
      "    assert.match(check.body.message, 'recordings-under-test');",
      '  } finally {',
      '    await host.stop();',
      '  }',
      '});',
      '',
      'test.run();',
      '',
    ].join('\n'),
  );
  const result = run(
    process.execPath,
    ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', 'in-host\\.test\\.ts$'],
    dir,
  );
  assert.is(result.code, 0, result.output.slice(-4000));
  assert.match(result.output, /Passed:\s+1/);
});

test.run();
