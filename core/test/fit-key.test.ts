import assert from 'node:assert/strict';
import { test } from 'uvu';
import { FileNameTemplate } from '../src/template/render.js';
import { filesystemLimits, fitKey } from '../src/util/fit-key.js';
import { keyProblem } from '../src/util/key.js';

const bytes = (s: string) => Buffer.byteLength(s);
const fs = { maxKeyBytes: 1024, maxSegmentBytes: 255 };

test('a key that fits comes back unchanged', () => {
  assert.equal(fitKey('20260304/call-1.mp4', fs), '20260304/call-1.mp4');
});

test('a long name is shortened with a hash suffix, keeps its extension and readable start, deterministically', () => {
  const call = 'c'.repeat(256);
  const key = `20260304/${call}-0-001.mp4`;
  const fitted = fitKey(key, fs);
  const [folder, name] = fitted.split('/');
  assert.equal(folder, '20260304');
  assert.equal(bytes(name!), 255);
  assert.match(name!, /^c+~[0-9a-f]{16}\.mp4$/);
  assert.equal(fitKey(key, fs), fitted, 'the same key always gives the same name');
  assert.notEqual(
    fitKey(`20260304/${call}-0-002.mp4`, fs),
    fitted,
    'keys differing after the cut stay apart',
  );
  assert.equal(keyProblem(fitted), undefined);
});

test('a total limit (S3 with a prefix) shortens the file name further, then folders', () => {
  const key = `${'a'.repeat(250)}/${'b'.repeat(250)}/${'c'.repeat(250)}/${'d'.repeat(250)}.mp4`;
  const s3 = { maxKeyBytes: 1024 - bytes('tenant-recordings/'), maxSegmentBytes: 255 };
  const fitted = fitKey(key, s3);
  assert.ok(bytes(fitted) <= s3.maxKeyBytes, `${bytes(fitted)} bytes`);
  assert.ok(fitted.endsWith('.mp4'));
  assert.equal(fitted.split('/').length, 4, 'the folder depth stays');
  const tight = fitKey(key, { maxKeyBytes: 200, maxSegmentBytes: 255 });
  assert.ok(bytes(tight) <= 200, tight);
  assert.ok(tight.endsWith('.mp4'));
});

test('multi-byte characters are never split', () => {
  const fitted = fitKey(`x/${'\u6f22'.repeat(200)}.mp4`, fs);
  assert.ok(!fitted.includes('\ufffd'));
  assert.ok(bytes(fitted.split('/')[1]!) <= 255);
});

test('filesystem limits count the root towards PATH_MAX', () => {
  assert.deepEqual(filesystemLimits('/srv/rec'), fs);
  assert.equal(filesystemLimits(`/${'r'.repeat(3500)}`).maxKeyBytes, 4095 - 3501 - 1);
});

test('a template name over 255 bytes keeps its extension (hash instead of a plain cut)', () => {
  const key = new FileNameTemplate('%{call-id}.mp4').render({ 'call-id': 'k'.repeat(256) });
  assert.match(key, /^k+~[0-9a-f]{16}\.mp4$/);
  assert.equal(bytes(key), 255);
});

test.run();
