import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listInstalledPlugins } from '../src/cli/installed-plugins.js';
import { runPluginsCli } from '../src/cli/plugins-cli.js';
import { formatPluginsMarkdown } from '../src/cli/plugins-format.js';
import { loadConfig } from '../src/config/load-config.js';
import { tempDir } from './db-harness.js';

const repo = join(import.meta.dirname, '../..');

function capture() {
  let text = '';
  return {
    out: {
      write(chunk: string) {
        text += chunk;
      },
    },
    text: () => text,
  };
}

test('docs/plugins-reference.md is what the installed plugins say now', async () => {
  const listing = await listInstalledPlugins(loadConfig({ env: {} }));
  const committed = readFileSync(join(repo, 'docs/plugins-reference.md'), 'utf8');
  assert.fixture(
    committed,
    formatPluginsMarkdown(listing),
    'run `node .tools/plugins-reference.mjs` and commit',
  );
});

test('--json: every built-in plugin with its options from the zod schema', async () => {
  const { out, text } = capture();
  assert.is(await runPluginsCli({ env: {}, format: 'json', out }), 0);
  const listing = JSON.parse(text());
  const packages = listing.plugins.map((p: { package: string }) => p.package);
  for (const name of [
    '@deskrec/storage-local',
    '@deskrec/storage-s3',
    '@deskrec/pbx-webhook',
    '@deskrec/auth-token',
  ]) {
    assert.ok(packages.includes(name), `${name} in ${packages.join(', ')}`);
  }
  const local = listing.plugins.find((p: { package: string }) => p.package === '@deskrec/storage-local');
  assert.equal(local.kind, 'storage');
  assert.equal(local.source, 'built-in');
  const root = local.options.find((o: { key: string }) => o.key === 'root');
  assert.equal(root, {
    key: 'root',
    type: 'string',
    required: true,
    description: root.description,
    secret: false,
  });
  assert.ok(root.description.length > 10);
  const fsync = local.options.find((o: { key: string }) => o.key === 'fsync');
  assert.equal([fsync.type, fsync.default, fsync.required], ['boolean', 'true', false]);
  const webhook = listing.plugins.find((p: { package: string }) => p.package === '@deskrec/pbx-webhook');
  assert.ok(webhook.options.find((o: { key: string; secret: boolean }) => o.key === 'secret')?.secret);
  assert.equal(listing.problems, []);
});

test('a plugin the config names but that is not installed is a problem, and the exit code is 1', async () => {
  const dir = await tempDir('deskrec-plugins-cli-');
  try {
    const file = join(dir.path, 'deskrec.yaml');
    await writeFile(
      file,
      [
        'plugins:',
        '  storage: [{ use: local }, { use: "@acme/deskrec-storage-nowhere", id: nowhere }]',
        '  callEvents: [{ use: webhook, id: crm, options: { secret: "0123456789abcdef0123456789abcdef" } }]',
      ].join('\n'),
    );
    const { out, text } = capture();
    assert.is(await runPluginsCli({ file, env: {}, out }), 1);
    assert.match(
      text(),
      'problem: plugins.storage[1] (storage "@acme/deskrec-storage-nowhere"): not installed',
    );
    // Named in the config and built in: listed once, as built-in.
    assert.is(text().split('@deskrec/pbx-webhook ').length - 1, 1);
  } finally {
    await dir.remove();
  }
});

test('deskrec-host plugins is dispatched by the bin, text by default', () => {
  const bin = join(repo, 'host/dist/bin/deskrec-host.js');
  const run = spawnSync(process.execPath, [bin, 'plugins'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /^storage\s+@deskrec\/storage-ftp /m);
  assert.match(run.stdout, /\d+ plugins$/m);
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, 'deskrec-host plugins');
});

test.run();
