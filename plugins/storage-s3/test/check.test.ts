import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { LocalS3 } from './s3rver-server.js';

const test = suite('storage-s3: check() against s3rver');
let s3: LocalS3;
const SECRET = 'very-secret-value-1234';
const TOKEN = 'session-token-value-5678';

test.before(async () => {
  s3 = await LocalS3.start();
  await s3.createBucket('checked');
});
test.after(async () => {
  await s3.stop();
});

function assertNoSecret(message: string): void {
  assert.ok(!message.includes(SECRET), `secret in: ${message}`);
  assert.ok(!message.includes(TOKEN), `session token in: ${message}`);
  assert.ok(!message.includes('\n'), 'one line');
}

test('check() on a working bucket says where and as whom, and leaves no probe behind', async () => {
  // s3rver does not verify SigV4 signatures, so it accepts this secret for its key id.
  const target = s3.target('checked', { prefix: 'deskrec', secretAccessKey: SECRET, sessionToken: TOKEN });
  try {
    const result = await target.check();
    assert.equal(result.ok, true, result.message);
    assert.match(result.message, /s3:\/\/checked\/deskrec/);
    assert.match(result.message, /access key id S3RVER/);
    assertNoSecret(result.message);
    const left = [];
    for await (const info of target.list('')) left.push(info.key);
    assert.deepEqual(left, [], 'the probe object was deleted');
  } finally {
    await target.close();
  }
});

test('check() with an unknown key id fails in one line naming it, without the secret', async () => {
  const target = s3.target('checked', {
    accessKeyId: 'AKIAUNKNOWN',
    secretAccessKey: SECRET,
    sessionToken: TOKEN,
  });
  try {
    const result = await target.check();
    assert.equal(result.ok, false);
    assert.match(result.message, /AKIAUNKNOWN/);
    assertNoSecret(result.message);
  } finally {
    await target.close();
  }
});

test('check() against a server that is down says it is unavailable', async () => {
  const gone = await LocalS3.start();
  const target = gone.target('checked', { secretAccessKey: SECRET });
  await gone.stop();
  try {
    const result = await target.check();
    assert.equal(result.ok, false);
    assert.match(result.message, /is unavailable/);
    assert.match(result.message, /ECONNREFUSED/);
    assertNoSecret(result.message);
  } finally {
    await target.close();
  }
});

test.run();
