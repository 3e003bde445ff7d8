import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin/deskrec-agent.js', import.meta.url));
let root: string;

test.before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-agent-cli-'));
});
test.after(() => fs.rm(root, { recursive: true, force: true }));

/** Runs the built CLI with only PATH set, so no DESKREC_* of the machine leaks in. */
async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH!, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('status needs only the data folder, not SERVER1 or the token', async () => {
  const dataDir = path.join(root, 'data');
  await fs.mkdir(dataDir);
  await fs.writeFile(
    path.join(dataDir, 'status.json'),
    JSON.stringify({ connected: true, state: 'pending' }),
  );
  const byFlag = await cli(['status', '--data-dir', dataDir]);
  assert.equal(byFlag.code, 0, byFlag.stderr);
  assert.deepEqual(JSON.parse(byFlag.stdout), { connected: true, state: 'pending' });
  const byEnv = await cli(['status'], { DESKREC_AGENT_DATA_DIR: dataDir });
  assert.equal(byEnv.code, 0, byEnv.stderr);
  const config = path.join(root, 'only-data-dir.json');
  await fs.writeFile(config, JSON.stringify({ dataDir }));
  const byFile = await cli(['status', '--config', config]);
  assert.equal(byFile.code, 0, byFile.stderr);
  const missing = await cli(['status', '--data-dir', path.join(root, 'nothing')]);
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /no status yet in .*status\.json: is the agent running with this data folder\?/,
  );
});

test('a missing X display is one clear line, not a stack trace', async () => {
  const config = path.join(root, 'x11.json');
  await fs.writeFile(
    config,
    JSON.stringify({
      controller: { primary: '127.0.0.1:1' },
      tenantToken: 'cli-test-token-0123456789',
      dataDir: path.join(root, 'x11-data'),
      capture: { use: 'ffmpeg', options: { input: 'x11grab' } },
    }),
  );
  const result = await cli(['run', '--config', config]);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'deskrec-agent: cannot start: x11grab needs an X display: set the display option or DISPLAY\n',
  );
});

test.run();
