import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load-config.js';
import { pbxFileKey } from '../src/recordings/pbx-file-key.js';
import { tempDir } from './db-harness.js';

const test = suite<{ dir: string; remove(): Promise<void> }>('config: plugins.callEvents[].recordings');

test.before(async (ctx) => {
  const d = await tempDir('deskrec-config-rec-');
  ctx.dir = d.path;
  ctx.remove = d.remove;
});
test.after(async (ctx) => ctx.remove());

const source = (recordings: string) =>
  `plugins: { callEvents: [{ use: asterisk, id: pbx, options: {}, recordings: ${recordings} }] }\n`;

async function load(ctx: { dir: string }, text: string) {
  const file = join(ctx.dir, 'deskrec.yaml');
  await writeFile(file, text);
  return loadConfig({ file, env: {} });
}

async function problem(ctx: { dir: string }, text: string): Promise<string> {
  try {
    await load(ctx, text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  throw new Error('expected a ConfigError');
}

test('a storage location is read, with the default give-up time', async (ctx) => {
  const config = await load(
    ctx,
    source('{ prefix: /var/spool/asterisk/monitor/, storage: { use: sftp, options: { host: pbx } } }'),
  );
  assert.deepEqual(config.plugins.callEvents[0]?.recordings, {
    prefix: '/var/spool/asterisk/monitor/',
    storage: { use: 'sftp', options: { host: 'pbx' } },
    giveUpAfterMinutes: 120,
  });
});

test('errors name the key and the problem', async (ctx) => {
  assert.match(
    await problem(ctx, source("{ prefix: /rec/, url: 'http://pbx/rec/', storage: { use: local } }")),
    /plugins\.callEvents\[0\]\.recordings\.storage: set exactly one of storage or url/,
  );
  assert.match(
    await problem(ctx, source('{ prefix: /rec }')),
    /plugins\.callEvents\[0\]\.recordings\.prefix: must end with "\/"/,
  );
  assert.match(
    await problem(ctx, source("{ prefix: /rec/, url: 'ftp://pbx/rec/' }")),
    /plugins\.callEvents\[0\]\.recordings\.url: expected an http:\/\/ or https:\/\/ URL/,
  );
  assert.match(
    await problem(ctx, source("{ prefix: /rec/, url: 'http://pbx/rec/', giveUpAfterMinutes: 0 }")),
    /plugins\.callEvents\[0\]\.recordings\.giveUpAfterMinutes: expected a number of minutes from 1 to 43200/,
  );
});

test('file names map to keys below the prefix; anything leaving it is refused', () => {
  const prefix = '/var/spool/asterisk/monitor/';
  assert.deepEqual(pbxFileKey(`${prefix}2026/12/03/a b.wav`, prefix), { key: '2026/12/03/a b.wav' });
  for (const file of [
    '/etc/passwd',
    '/var/spool/asterisk/monitor',
    '/var/spool/asterisk/monitorx/a.wav',
    `${prefix}../secret.wav`,
    `${prefix}a/../../secret.wav`,
    `${prefix}./a.wav`,
    `${prefix}/etc/passwd`,
    `${prefix}a\\..\\b.wav`,
    `${prefix}a\nb.wav`,
    prefix,
  ]) {
    assert.ok('refused' in pbxFileKey(file, prefix), JSON.stringify(file));
  }
});

test.run();
