import assert from 'node:assert/strict';
import { test } from 'uvu';
import { ControllerSettingsSchema, ScreenRecordingSettingsSchema } from '../src/domain/settings.js';
import { formatIssues } from '../src/util/zod-issues.js';

test('defaults match what admins of this field expect', () => {
  const settings = ScreenRecordingSettingsSchema.parse({});
  assert.equal(settings.fps, 5);
  assert.equal(settings.wrapUpSeconds, 0);
  assert.equal(settings.multiMonitor, 'primary');
  assert.equal(
    settings.fileNameFormat,
    '%{start-time#%Y%m%d}/%{start-time#%Y%m%d%H%M%S}-%{recording-id}.mp4',
  );
  const controller = ControllerSettingsSchema.parse({});
  assert.equal(controller.tcpPort, 6091);
  assert.equal(controller.tlsPort, 6092);
});

test('bounds and template errors are reported per field', () => {
  const result = ScreenRecordingSettingsSchema.safeParse({
    fps: 0,
    maxWidth: 100000,
    fileNameFormat: '%{nope}.mp4',
    storageHostUrl: 'ftp://x',
  });
  assert.equal(result.success, false);
  const text = formatIssues(result.error!);
  assert.match(text, /fps: Too small: expected number to be >=0.2/);
  assert.match(text, /maxWidth: Too big/);
  assert.match(text, /fileNameFormat: Unknown variable "nope".*\(at position 2\)/);
  assert.match(text, /storageHostUrl/);
});

test('port 0 disables a listener; out-of-range ports are refused', () => {
  assert.equal(ControllerSettingsSchema.parse({ tcpPort: 0 }).tcpPort, 0);
  assert.equal(ControllerSettingsSchema.safeParse({ tlsPort: 70000 }).success, false);
});

test.run();
