import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'uvu';
import { DEFAULT_FILE_NAME_TEMPLATE } from '../src/template/default-template.js';
import { FileNameTemplate, renderTemplate } from '../src/template/render.js';
import { TemplateError } from '../src/template/template-error.js';
import { keyProblem } from '../src/util/key.js';

const start = new Date('2026-03-04T05:06:07.089Z');

test('renders the default template', () => {
  assert.equal(
    renderTemplate(DEFAULT_FILE_NAME_TEMPLATE, { 'start-time': start, 'recording-id': 'r42' }),
    '20260304/20260304050607-r42.mp4',
  );
});

test('backslash and slash both separate folders; %% is a literal percent', () => {
  assert.equal(
    renderTemplate('%{start-time#%Y}\\%{start-time#%m}/100%%-%{call-id}.mp4', {
      'start-time': start,
      'call-id': 'c1',
    }),
    '2026/03/100%-c1.mp4',
  );
});

test('all variables and formats', () => {
  const key = renderTemplate(
    '%{tenant}/%{user-login}/%{workstation}/%{start-time#%y-%j %H.%M.%S.%L}_%{end-time#%s}_%{segment#03}_%{monitor}_%{direction}_%{extension}_%{call-id}_%{recording-id}.mp4',
    {
      tenant: 'acme',
      'user-login': 'CORP\\jdoe',
      workstation: 'PC-7',
      'start-time': start,
      'end-time': new Date('2026-03-04T05:16:07Z'),
      segment: 7,
      monitor: '1',
      direction: 'inbound',
      extension: '1001',
      'call-id': 'abc',
      'recording-id': 'r1',
    },
  );
  assert.equal(key, 'acme/CORP_jdoe/PC-7/26-063 05.06.07.089_1772601367_007_1_inbound_1001_abc_r1.mp4');
});

test('time zones', () => {
  assert.equal(
    renderTemplate('%{start-time#%Y%m%d%H}', { 'start-time': start }, { timeZone: 'America/New_York' }),
    '2026030400',
  );
});

test('missing values render empty, an all-empty segment becomes "_"', () => {
  assert.equal(renderTemplate('%{tenant}/%{call-id}.mp4', {}), '_/.mp4');
});

const malformed: [string, RegExp, number][] = [
  ['%{nope}/x.mp4', /Unknown variable "nope"/, 2],
  ['%{start-time', /not closed/, 0],
  ['a/%{start-time#%Q}.mp4', /Unknown date directive "%Q"/, 15],
  ['a/%{start-time#%Y%}.mp4', /lone "%"/, 17],
  ['%{call-id#03}', /takes no format/, 10],
  ['%{segment#3}', /Number format/, 10],
  ['/abs/%{call-id}', /empty folder name/, 0],
  ['a//b', /empty folder name/, 2],
  ['a/../b', /"\.\."/, 2],
  ['./a', /"\."/, 0],
  ['a/b/', /empty folder name/, 4],
  ['C:/x', /not allowed/, 1],
  ['50%', /"%" must start a variable/, 2],
  ['a\u0000b', /not allowed/, 1],
];

for (const [template, message, position] of malformed) {
  test(`malformed template ${JSON.stringify(template)} points at position ${position}`, () => {
    try {
      new FileNameTemplate(template);
      assert.fail('expected a TemplateError');
    } catch (error) {
      assert.ok(error instanceof TemplateError, String(error));
      assert.match(error.message, message);
      assert.equal(error.position, position);
      assert.match(error.message, new RegExp(`at position ${position}\\)$`));
    }
  });
}

const hostile = [
  '..',
  '.',
  '...',
  '../../etc/passwd',
  '..\\..\\windows\\system32',
  '/etc/passwd',
  '\\\\server\\share\\x',
  '//server/share',
  'C:\\Windows',
  'c:',
  'D:/data',
  '\u0000',
  'a\u0000b',
  'line\nbreak',
  'tab\there',
  '\u001b[31mred',
  'CON',
  'prn.txt',
  'aux',
  'NUL.mp4',
  'com1',
  'LPT9.log',
  '\uff0e\uff0e',
  '\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc',
  '\u2024\u2024',
  '\ufe52\ufe52',
  '..\u2215..\u2215x',
  '\u2044etc',
  '%2e%2e%2f',
  '....//....//',
  'trailing. . .',
  ' leading',
  'name:stream',
  'a*b?c"d<e>f|g',
  '\u202etxt.exe',
  'x'.repeat(10 * 1024),
  '\u6f22'.repeat(4000),
  '\ud83d\udcde'.repeat(3000),
  '',
];

test(`${hostile.length} hostile values never leave the root nor change the folder they land in`, () => {
  const template = new FileNameTemplate(
    '%{tenant}/%{user-login}/%{start-time#%Y%m%d}/%{call-id}-%{recording-id}.mp4',
  );
  const roots = { posix: '/srv/recordings', win32: 'D:\\recordings' };
  for (const value of hostile) {
    for (const variable of ['tenant', 'user-login', 'call-id', 'recording-id'] as const) {
      const values = {
        tenant: 'acme',
        'user-login': 'jdoe',
        'call-id': 'c1',
        'recording-id': 'r1',
        'start-time': start,
      };
      const key = template.render({ ...values, [variable]: value });
      const label = `${variable}=${JSON.stringify(value.slice(0, 40))} → ${JSON.stringify(key.slice(0, 80))}`;
      assert.equal(keyProblem(key), undefined, label);
      const segments = key.split('/');
      assert.equal(segments.length, 4, `folder depth unchanged: ${label}`);
      if (variable !== 'tenant') assert.equal(segments[0], 'acme', label);
      if (variable !== 'user-login') assert.equal(segments[1], 'jdoe', label);
      assert.equal(segments[2], '20260304', label);
      for (const segment of segments) {
        assert.ok(!/^\.+$/.test(segment), `no dot-only name: ${label}`);
        assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(segment), `no device name: ${label}`);
        assert.ok(new TextEncoder().encode(segment).length <= 255, `segment length: ${label}`);
        assert.ok(!/[\u0000-\u001f\\:]/.test(segment), `no control, backslash or colon: ${label}`);
      }
      const posix = path.posix.resolve(roots.posix, key);
      assert.ok(posix.startsWith(`${roots.posix}/`), `inside posix root: ${label}`);
      const win = path.win32.resolve(roots.win32, ...key.split('/'));
      assert.ok(win.startsWith(`${roots.win32}\\`), `inside win32 root: ${label}`);
    }
  }
});

test('a rendered name longer than the key limit is refused, not silently cut', () => {
  const template = new FileNameTemplate('%{tenant}/%{user-login}/%{call-id}/%{recording-id}/%{monitor}.mp4');
  const long = 'y'.repeat(300);
  assert.throws(
    () =>
      template.render({
        tenant: long,
        'user-login': long,
        'call-id': long,
        'recording-id': long,
        monitor: long,
      }),
    /longer than 1024 bytes/,
  );
});

test.run();
