import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { TOKENS } from '@deskrec/core';
import { test } from 'uvu';
import { LocalS3 } from '../../plugins/storage-s3/test/s3rver-server.js';
import { createHost } from '../src/app/create-host.js';
import { loadConfig } from '../src/config/load-config.js';
import { HOST_TOKENS } from '../src/tokens.js';
import { quiet } from './api-harness.js';
import { tempDir } from './db-harness.js';
import { TestClock } from './support/test-clock.js';

test('a move policy copies recordings from a local folder to S3 (s3rver) and frees the folder', async () => {
  const s3 = await LocalS3.start();
  const dir = await tempDir('deskrec-retention-s3-');
  const clock = new TestClock();
  const file = join(dir.path, 'deskrec.yaml');
  await writeFile(
    file,
    [
      'web: { host: 127.0.0.1, port: 0 }',
      'controller: { host: 127.0.0.1, ephemeralPorts: true }',
      'log: { level: 1 }',
      'plugins: { storage: [{ use: local }, { use: s3 }] }',
    ].join('\n'),
  );
  const host = createHost(loadConfig({ file, env: { DESKREC_DATA_DIR: join(dir.path, 'data') } }), {
    stdout: quiet,
    register: (c) => c.register(TOKENS.Clock, { useValue: clock }),
  });
  const started = await host.start();
  try {
    await s3.createBucket('archive');
    const call = async (method: string, path: string, token: string | undefined, body: unknown) => {
      const res = await fetch(`${started.url}/api${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the test reads the JSON answers' fields directly
      return { status: res.status, body: (await res.json()) as any };
    };
    const login = await call('POST', '/auth/login', undefined, {
      username: 'admin',
      password: started.firstStart!.password,
      tenant: 'default',
      bearer: true,
    });
    const token = login.body.token as string;
    const target = await call('POST', '/storage-targets', token, {
      name: 'S3 archive',
      kind: 's3',
      options: s3.options('archive'),
    });
    assert.equal(target.status, 201, JSON.stringify(target.body));
    const policy = await call('POST', '/retention-policies', token, {
      name: 'To S3',
      action: 'move',
      afterDays: 1,
      targetId: target.body.id,
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));

    // A finished recording on the built-in local folder.
    const tenantId = host.resolve(HOST_TOKENS.DefaultTenantId);
    const db = host.services().database.db;
    const resolver = host.resolve(HOST_TOKENS.TargetResolver);
    const local = await resolver.byId(tenantId, 'default-local');
    const now = clock.now();
    await db
      .insertInto('workstations')
      .values({
        tenant_id: tenantId,
        id: 'ws-s3',
        secret_hash: 'x',
        state: 'authorized',
        computer_name: 'PC',
        monitors: '[]',
        first_seen: now,
        last_seen: now,
      })
      .execute();
    await db
      .insertInto('recordings')
      .values({
        id: 'rec-s3',
        tenant_id: tenantId,
        workstation_id: 'ws-s3',
        capture_id: 'cap-s3',
        state: 'stored',
        started_at: now,
        ended_at: now,
        upload_token_hash: null,
      })
      .execute();
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const key = '2026/rec-s3/0.mp4';
    await local.target.put(key, Readable.from([body]), { size: body.length, sha256 });
    await db
      .insertInto('segments')
      .values({
        id: 'seg-s3',
        tenant_id: tenantId,
        recording_id: 'rec-s3',
        monitor_id: 'm1',
        idx: 0,
        started_at: now,
        duration_ms: 1000,
        bytes: body.length,
        sha256,
        state: 'stored',
        spool_path: null,
        storage_target_id: local.id,
        storage_key: key,
        stored_at: now,
        error: null,
      })
      .execute();

    clock.advance(2 * 86_400_000);
    await host.resolve(HOST_TOKENS.RetentionSweep).sweep();
    await host.resolve(HOST_TOKENS.JobRunner).runDue();

    const segment = await db
      .selectFrom('segments')
      .selectAll()
      .where('id', '=', 'seg-s3')
      .executeTakeFirstOrThrow();
    assert.equal(segment.storage_target_id, target.body.id);
    const remote = await resolver.byId(tenantId, target.body.id);
    const got = await remote.target.get(segment.storage_key!);
    const hash = createHash('sha256');
    for await (const chunk of got.body) hash.update(chunk as Buffer);
    assert.equal(hash.digest('hex'), sha256, 'the same bytes on S3');
    assert.equal(await local.target.stat(key), undefined, 'gone from the local folder');
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'recording.move')
      .execute();
    assert.equal(audit.length, 1);
  } finally {
    await host.stop();
    await s3.stop();
    await dir.remove();
  }
});

test.run();
