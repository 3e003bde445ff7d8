import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../src/config/load-config.js';
import { createLogging } from '../src/logging/create-logging.js';
import { pinoLevelOf } from '../src/logging/levels.js';
import { RecentLog } from '../src/logging/recent-log.js';
import { tempDir } from './db-harness.js';

const test = suite('logging: trace settings, rotation, recent lines');

test('trace depth 1–5 maps to pino levels', () => {
  assert.equal([1, 2, 3, 4, 5].map(pinoLevelOf), ['error', 'warn', 'info', 'debug', 'trace']);
});

test('trace file at its own depth, console at another; secrets redacted', async () => {
  const dir = await tempDir('deskrec-log-');
  try {
    const config = loadConfig({
      env: {
        DESKREC_DATA_DIR: dir.path,
        DESKREC_LOG_LEVEL: '2',
        DESKREC_TRACE_ENABLED: 'true',
        DESKREC_TRACE_LEVEL: '4',
      },
    });
    const consoleLines: string[] = [];
    const logging = await createLogging(config.log, {
      stdout: { write: (l: string) => void consoleLines.push(l) },
    });
    logging.logger.trace('too deep for both');
    logging.logger.debug({ password: 'p4ss', nested: { token: 't0k' } }, 'debug detail');
    logging.logger.warn('a warning');
    await logging.close();
    const files = await readdir(join(dir.path, 'logs'));
    assert.ok(files.length >= 1, 'a trace file was written');
    const text = (await Promise.all(files.map((f) => readFile(join(dir.path, 'logs', f), 'utf8')))).join('');
    assert.match(text, 'debug detail');
    assert.match(text, 'a warning');
    assert.not.match(text, 'too deep');
    assert.not.match(text, 'p4ss');
    assert.not.match(text, 't0k');
    assert.match(text, '[redacted]');
    assert.is(consoleLines.length, 1, 'console shows warnings and errors only');
    assert.match(consoleLines[0]!, 'a warning');
  } finally {
    await dir.remove();
  }
});

test('the trace file rotates by size and keeps the configured number of files', async () => {
  const dir = await tempDir('deskrec-rotate-');
  try {
    const file = join(dir.path, 'trace', 'host.log');
    const config = loadConfig({
      env: { DESKREC_DATA_DIR: dir.path, DESKREC_TRACE_FILE: file, DESKREC_LOG_LEVEL: '1' },
    });
    const logging = await createLogging(
      {
        ...config.log,
        trace: { ...config.log.trace, enabled: true, rotateSize: '1k', keep: 2 },
      },
      { stdout: { write() {} } },
    );
    for (let i = 0; i < 200; i++) {
      logging.logger.info({ i, pad: 'x'.repeat(100) }, 'line');
      // pino-roll checks the size as writes complete; let them land.
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await logging.close();
    const files = (await readdir(join(dir.path, 'trace'))).filter((f) => f.startsWith('host'));
    assert.ok(files.length >= 2, `rotated: ${files.join(', ')}`);
    assert.ok(files.length <= 3, `at most keep + 1 files: ${files.join(', ')}`);
    for (const name of files)
      assert.match(name, /^host\.\d+\.log$/, 'numbered before the extension, as documented');
  } finally {
    await dir.remove();
  }
});

test('recent lines: a bounded ring, newest first, filtered by level', () => {
  const recent = new RecentLog(3);
  for (const [level, msg] of [
    [30, 'one'],
    [50, 'two'],
    [20, 'three'],
    [40, 'four'],
  ] as const) {
    recent.write(`${JSON.stringify({ level, time: 1, msg, extra: msg.length })}\n`);
  }
  recent.write('not json\n');
  assert.equal(
    recent.query('trace').map((l) => l.msg),
    ['four', 'three', 'two'],
  );
  assert.equal(
    recent.query('warn').map((l) => l.msg),
    ['four', 'two'],
  );
  assert.equal(recent.query('trace', 1)[0]?.fields, { extra: 4 });
});

test.run();
