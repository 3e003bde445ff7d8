import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { outputArgs } from '../src/encode-args.js';
import { inputFor } from '../src/ffmpeg-backend.js';
import { FfmpegCaptureOptionsSchema, fitWithin } from '../src/index.js';
import { parseAvfoundationScreens } from '../src/monitors-macos.js';
import { parseWindowsScreens } from '../src/monitors-windows.js';
import { parseXrandrMonitors } from '../src/monitors-x11.js';
import { StderrTail } from '../src/stderr-tail.js';

const test = suite('capture-ffmpeg parsing and sizing');

test('fitWithin keeps aspect, never upscales, stays even', () => {
  assert.deepEqual(fitWithin(1920, 1080, 640, 480), { width: 640, height: 360 });
  assert.deepEqual(fitWithin(1366, 768, 1280, 720), { width: 1280, height: 720 });
  assert.deepEqual(fitWithin(2560, 1440, 1920, 1080), { width: 1920, height: 1080 });
  assert.deepEqual(fitWithin(1280, 1024, 1920, 1080), { width: 1280, height: 1024 });
  assert.deepEqual(fitWithin(1001, 601, 1920, 1080), { width: 1000, height: 600 });
  assert.deepEqual(fitWithin(1080, 1920, 1920, 1080), { width: 608, height: 1080 });
  assert.deepEqual(fitWithin(3840, 1080, 1921, 1081), { width: 1920, height: 540 });
});

test('xrandr --listmonitors: geometry, offsets and the primary', () => {
  const out = [
    'Monitors: 2',
    ' 0: +*DP-1 1920/527x1080/296+0+0  DP-1',
    ' 1: +HDMI-1 1280/338x1024/270+1920+0  HDMI-1',
  ].join('\n');
  assert.deepEqual(parseXrandrMonitors(out, ':0'), [
    { id: '0', name: 'DP-1', width: 1920, height: 1080, x: 0, y: 0, primary: true, source: ':0+0,0' },
    {
      id: '1',
      name: 'HDMI-1',
      width: 1280,
      height: 1024,
      x: 1920,
      y: 0,
      primary: false,
      source: ':0+1920,0',
    },
  ]);
});

test('xrandr without a primary: the first monitor is the primary', () => {
  const out = 'Monitors: 2\n 0: +left 960/254x1080/286+0+0  none\n 1: +right 960/254x1080/286+960+0  none\n';
  const monitors = parseXrandrMonitors(out, ':5');
  assert.deepEqual(
    monitors.map((m) => [m.id, m.primary, m.source]),
    [
      ['0', true, ':5+0,0'],
      ['1', false, ':5+960,0'],
    ],
  );
});

test('xrandr: a whole-screen monitor grouping others and mirrors are dropped', () => {
  const out = [
    'Monitors: 4',
    ' 0: left 1920/508x1080/286+0+0 ',
    ' 1: right 1920/508x1080/286+1920+0 ',
    ' 2: +screen 3840/1016x1080/286+0+0  screen',
    ' 3: +*mirror 1920/508x1080/286+0+0  HDMI-2',
  ].join('\n');
  assert.deepEqual(
    parseXrandrMonitors(out, ':1').map((m) => [m.id, m.name, m.primary]),
    [
      ['0', 'left', true],
      ['1', 'right', false],
    ],
  );
});

test('Windows screens from PowerShell JSON, one or many', () => {
  const one = '{"name":"\\\\\\\\.\\\\DISPLAY1","primary":true,"x":0,"y":0,"width":1920,"height":1080}';
  assert.equal(parseWindowsScreens(one, 'gdigrab')[0]?.source, 'desktop');
  const many = `[${one},{"name":"B","primary":false,"x":-1280,"y":0,"width":1280,"height":1024}]`;
  const monitors = parseWindowsScreens(many, 'ddagrab');
  assert.deepEqual(
    monitors.map((m) => [m.id, m.x, m.primary, m.source]),
    [
      ['0', 0, true, '0'],
      ['1', -1280, false, '1'],
    ],
  );
});

test('avfoundation device list: screens and their device indexes', () => {
  const stderr = [
    '[AVFoundation indev @ 0x1] AVFoundation video devices:',
    '[AVFoundation indev @ 0x1] [0] FaceTime HD Camera',
    '[AVFoundation indev @ 0x1] [1] Capture screen 0',
    '[AVFoundation indev @ 0x1] [2] Capture screen 1',
  ].join('\n');
  assert.deepEqual(parseAvfoundationScreens(stderr), [
    { device: '1', screen: '0' },
    { device: '2', screen: '1' },
  ]);
});

test('auto input per platform; lavfi only when asked for', () => {
  assert.equal(inputFor('auto', 'linux'), 'x11grab');
  assert.equal(inputFor('auto', 'win32'), 'gdigrab');
  assert.equal(inputFor('auto', 'darwin'), 'avfoundation');
  assert.equal(inputFor('lavfi', 'linux'), 'lavfi');
});

test('stderr tail keeps the last lines, progress carriage returns included', () => {
  const tail = new StderrTail(3);
  tail.push('one\ntwo\nthr');
  tail.push('ee\rfour\r\nfive');
  assert.deepEqual(tail.get(), ['three', 'four', 'five']);
});

test('options: errors name the field; defaults fill in', () => {
  const bad = FfmpegCaptureOptionsSchema.safeParse({ display: 'nope', crf: 99, x264Params: 'ref=3 -y' });
  assert.equal(bad.success, false);
  const paths = bad.error!.issues.map((i) => i.path.join('.'));
  assert.deepEqual(paths.sort(), ['crf', 'display', 'x264Params']);
  const ok = FfmpegCaptureOptionsSchema.parse({});
  assert.equal(ok.input, 'auto');
  assert.deepEqual(ok.testMonitors, [{ width: 1920, height: 1080 }]);
});

test('output arguments follow the settings', () => {
  const options = FfmpegCaptureOptionsSchema.parse({ dropStillFrames: true, crf: 32 });
  const target = {
    inputIndex: 1,
    width: 1920,
    height: 1080,
    rgb: true,
    listPath: 'l.csv',
    filePattern: 'f-%05d.mp4',
  };
  const settings = {
    fps: 5,
    bitrateKbps: 300,
    maxFileSeconds: 600,
    maxRecordingSeconds: 7200,
    multiMonitor: 'primary' as const,
    maxWidth: 1920,
    maxHeight: 1080,
  };
  const args = outputArgs(target, settings, options);
  const value = (flag: string, list = args) => list[list.indexOf(flag) + 1];
  assert.equal(value('-map'), '1:v:0');
  assert.equal(value('-filter:v'), 'format=bgr24,format=yuv420p,mpdecimate=max=4');
  assert.equal(value('-crf'), '32');
  // zerolatency keeps x264's delay at zero frames (what a killed capture loses is one fragment).
  assert.equal(value('-tune'), 'zerolatency');
  assert.equal(value('-x264-params'), 'scenecut=0:qcomp=1:me=umh:merange=128:trellis=2');
  assert.equal(value('-maxrate'), '300k');
  assert.equal(value('-bufsize'), '600k');
  assert.equal(value('-t'), '7200');
  assert.equal(value('-segment_time'), '600');
  assert.equal(value('-force_key_frames'), 'expr:gte(t,n_forced*600)');
  assert.equal(value('-flush_packets'), '1');
  assert.match(
    value('-segment_format_options')!,
    /frag_keyframe\+empty_moov\+default_base_moof:frag_duration=1000000/,
  );
  assert.equal(args.at(-1), 'f-%05d.mp4');
  const scaled = outputArgs(
    target,
    { ...settings, maxWidth: 640, maxHeight: 480 },
    { ...options, crf: null, x264Params: '', tune: 'none' },
  );
  assert.equal(value('-filter:v', scaled), 'scale=640:360:flags=area,format=yuv420p,mpdecimate=max=4');
  assert.equal(value('-b:v', scaled), '300k');
  assert.ok(!scaled.includes('-crf'));
  assert.ok(!scaled.includes('-x264-params'));
  assert.ok(!scaled.includes('-tune'));
});

test.run();
