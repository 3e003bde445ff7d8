import { Readable } from 'node:stream';
import { isStorageError } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin, { WebDavOptionsSchema, WebDavTarget } from '../src/index.js';
import { startWebDavServer } from './webdav-peer.js';

const server = await startWebDavServer();
const target = (password = server.password, path = '') =>
  new WebDavTarget(
    WebDavOptionsSchema.parse({ url: `${server.url}${path}`, username: server.username, password }),
  );

test('the password is declared a secret, and options name the bad key', () => {
  assert.equal(plugin.secrets, ['password']);
  const parsed = WebDavOptionsSchema.safeParse({ url: 'ftp://example.com/' });
  assert.is(parsed.success, false);
  assert.equal(parsed.error?.issues[0]?.path, ['url']);
});

test('check() tells an admin the collection is writable', async () => {
  const t = target();
  const result = await t.check();
  await t.close();
  assert.is(result.ok, true, result.message);
  assert.match(result.message, server.url);
});

test('a wrong password: check() says why, and puts fail with "auth" (not retried)', async () => {
  const t = target('wrong-password');
  const result = await t.check();
  assert.is(result.ok, false);
  assert.match(result.message, '401');
  try {
    await t.put('a/b.bin', Readable.from([Buffer.from('x')]));
    assert.unreachable('a put with a wrong password must fail');
  } catch (error) {
    assert.ok(isStorageError(error, 'auth'), String(error));
    assert.is((error as { retryable: boolean }).retryable, false);
  } finally {
    await t.close();
  }
});

test('a collection that does not exist is reported by check()', async () => {
  const t = target(server.password, 'missing-collection/');
  const result = await t.check();
  await t.close();
  assert.is(result.ok, false);
  assert.match(result.message, 'does not exist');
});

test('a server that is gone is "unavailable" (retried by the host)', async () => {
  const gone = await startWebDavServer();
  await gone.close();
  const t = new WebDavTarget(WebDavOptionsSchema.parse({ url: gone.url, username: 'x', password: 'y' }));
  try {
    await t.stat('a.bin');
    assert.unreachable('a request to a closed port must fail');
  } catch (error) {
    assert.ok(isStorageError(error, 'unavailable'), String(error));
  } finally {
    await t.close();
  }
});

test.run();
