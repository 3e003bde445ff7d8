import assert from 'node:assert/strict';
import { formatIssues, instantiatePlugin, isPluginManifest, silentLogger, systemClock } from '@deskrec/core';
import { suite } from 'uvu';
import plugin, { S3StorageOptionsSchema } from '../src/index.js';

const test = suite('storage-s3: options and manifest');

function problems(input: unknown): string {
  const parsed = S3StorageOptionsSchema.safeParse(input);
  assert.equal(parsed.success, false, 'expected invalid options');
  return formatIssues(parsed.error!, 'storage.options');
}

test('defaults suit Amazon S3', () => {
  const options = S3StorageOptionsSchema.parse({ bucket: 'recordings' });
  assert.equal(options.region, 'us-east-1');
  assert.equal(options.prefix, '');
  assert.equal(options.forcePathStyle, false);
  assert.equal(options.partSize, 5 * 1024 * 1024);
  assert.equal(options.queueSize, 4);
  assert.equal(options.checksum, true);
  assert.equal(options.conditionalCreate, true);
});

test('the prefix is a folder: surrounding slashes are trimmed, unsafe names refused', () => {
  assert.equal(
    S3StorageOptionsSchema.parse({ bucket: 'b', prefix: '/deskrec/tenant-a/' }).prefix,
    'deskrec/tenant-a',
  );
  assert.match(
    problems({ bucket: 'b', prefix: 'a/../b' }),
    /storage\.options\.prefix: prefix is not a valid folder: key has a "\.\." folder/,
  );
  assert.match(problems({ bucket: 'b', prefix: 'a//b' }), /storage\.options\.prefix: .*empty folder name/);
});

test('errors name the option and the problem', () => {
  assert.match(problems({}), /storage\.options\.bucket: /);
  assert.match(
    problems({ bucket: 'b', accessKeyId: 'AKIA' }),
    /storage\.options\.secretAccessKey: accessKeyId and secretAccessKey go together/,
  );
  assert.match(problems({ bucket: 'b', secretAccessKey: 's' }), /storage\.options\.accessKeyId: /);
  assert.match(
    problems({ bucket: 'b', sessionToken: 't' }),
    /storage\.options\.sessionToken: sessionToken needs/,
  );
  assert.match(problems({ bucket: 'b', kmsKeyId: 'k' }), /storage\.options\.kmsKeyId: kmsKeyId only applies/);
  assert.match(problems({ bucket: 'b', partSize: 1024 }), /storage\.options\.partSize: /);
  assert.match(problems({ bucket: 'b', queueSize: 0 }), /storage\.options\.queueSize: /);
  assert.match(problems({ bucket: 'b', endpoint: 'minio:9000' }), /storage\.options\.endpoint: /);
  assert.match(problems({ bucket: 'b', storageClass: 'DEEP_ARCHIVE' }), /storage\.options\.storageClass: /);
  assert.match(
    problems({ bucket: 'b', serverSideEncryption: 'rot13' }),
    /storage\.options\.serverSideEncryption: /,
  );
  assert.match(problems({ bucket: 'bad bucket' }), /storage\.options\.bucket: bucket names use only/);
});

test('problems never echo a secret', () => {
  const message = problems({ bucket: 'b', secretAccessKey: 'top-secret-value', sessionToken: 'tok-secret' });
  assert.ok(!message.includes('top-secret-value') && !message.includes('tok-secret'), message);
});

test('every option is described', () => {
  for (const [key, schema] of Object.entries(S3StorageOptionsSchema.shape)) {
    assert.ok(schema.description && schema.description.length > 10, `${key} has no description`);
  }
});

test('the manifest declares the plugin, its secrets and the capabilities of the defaults', () => {
  assert.ok(isPluginManifest(plugin));
  assert.equal(plugin.id, 'storage-s3');
  assert.equal(plugin.kind, 'storage');
  assert.deepEqual([...(plugin.secrets ?? [])].sort(), ['secretAccessKey', 'sessionToken']);
  assert.deepEqual(plugin.capabilities, {
    atomicRename: true,
    rangeRead: true,
    conditionalCreate: true,
    serverChecksum: true,
  });
});

test('an instance, loaded like the host does, declares what its options allow', async () => {
  const target = await instantiatePlugin(
    plugin,
    { bucket: 'b', checksum: false, conditionalCreate: false },
    {
      logger: silentLogger,
      clock: systemClock,
      instanceId: 's3',
      dataDir: '.',
      signal: new AbortController().signal,
    },
    'storage',
  );
  try {
    assert.equal(target.capabilities.serverChecksum, false);
    assert.equal(target.capabilities.conditionalCreate, false);
  } finally {
    await target.close();
  }
});

test.run();
