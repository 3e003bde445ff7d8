import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { ffmpegCandidates } from '../src/ffmpeg-binary.js';
import { resolveFfmpeg } from '../src/index.js';
import { FFMPEG } from './helpers.js';

const test = suite('ffmpeg binary resolution');

test('order: option, FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer/ffmpeg, PATH', () => {
  const candidates = ffmpegCandidates('/opt/ff', { FFMPEG_PATH: '/env/ff', PATH: '' });
  assert.deepEqual(
    candidates.map((c) => c.source),
    ['option', 'FFMPEG_PATH', 'ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'PATH'],
  );
  assert.equal(candidates[0]!.path, '/opt/ff');
  assert.equal(candidates[1]!.path, '/env/ff');
  // ffmpeg-static's install script downloads its binary; offline it is absent and skipped.
  assert.equal(candidates[2]!.path, undefined);
  assert.equal(candidates[3]!.path, FFMPEG);
});

test('the option wins and describe() names it with its version', async () => {
  const binary = await resolveFfmpeg(FFMPEG, { FFMPEG_PATH: '/nonexistent/ffmpeg' });
  assert.equal(binary.source, 'option');
  assert.match(binary.version, /\S/);
  assert.ok(binary.devices.has('lavfi'));
  assert.ok(binary.filters.has('testsrc2'));
});

test('FFMPEG_PATH is used before the packaged binaries', async () => {
  const binary = await resolveFfmpeg(undefined, { FFMPEG_PATH: FFMPEG, PATH: '' });
  assert.equal(binary.source, 'FFMPEG_PATH');
});

test('without option or env the packaged @ffmpeg-installer binary is used', async () => {
  const binary = await resolveFfmpeg(undefined, { PATH: '' });
  assert.equal(binary.source, '@ffmpeg-installer/ffmpeg');
  assert.match(binary.version, /^4\.1/);
});

test('an explicit path that does not run is an error naming it', async () => {
  await assert.rejects(
    resolveFfmpeg('/nonexistent/ffmpeg', {}),
    /option \(\/nonexistent\/ffmpeg\) does not run/,
  );
});

test.run();
