// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests write the config file's ${VAR} syntax, not templates
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load-config.js';
import { tempDir } from './db-harness.js';

const test = suite<{ dir: string; remove(): Promise<void> }>(
  'config: loading, defaults, env overrides, errors',
);

test.before(async (ctx) => {
  const d = await tempDir('deskrec-config-');
  ctx.dir = d.path;
  ctx.remove = d.remove;
});
test.after(async (ctx) => ctx.remove());

async function write(ctx: { dir: string }, name: string, text: string): Promise<string> {
  const path = join(ctx.dir, name);
  await writeFile(path, text);
  return path;
}

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test('no file: defaults, with paths under the data folder', (ctx) => {
  const config = loadConfig({ env: {}, cwd: ctx.dir });
  assert.is(config.source, 'defaults');
  assert.is(config.dataDir, join(ctx.dir, '.data'));
  assert.is(config.web.host, '0.0.0.0');
  assert.is(config.web.port, 6543);
  assert.is(config.database.url, undefined);
  assert.is(config.controller.tcpPort, 6091);
  assert.is(config.controller.tlsPort, 6092);
  assert.is(config.controller.tlsKeyFile, join(ctx.dir, '.data/tls/key.pem'));
  assert.is(config.controller.tlsCertFile, join(ctx.dir, '.data/tls/cert.pem'));
  assert.equal(config.plugins.auth, { use: 'token', options: {} });
  assert.equal(config.plugins.callEvents, []);
  assert.is(config.plugins.storage, undefined, 'undefined means "the installed default kinds"');
  assert.is(config.log.level, 3);
  assert.is(config.log.trace.enabled, false);
  assert.is(config.log.trace.file, join(ctx.dir, '.data/logs/host.log'));
});

test('YAML file: values read, relative paths resolved against the file', async (ctx) => {
  const file = await write(
    ctx,
    'deskrec.yaml',
    [
      'dataDir: ./data',
      'web: { host: 127.0.0.1, port: 8080, publicUrl: "https://rec.example.com" }',
      'controller: { tcpPort: 0, tlsCertFile: tls/c.pem }',
      'plugins:',
      '  storage: [{ use: local }, { use: s3, id: archive }]',
      '  callEvents: [{ use: webhook, id: main-pbx, options: { path: /x } }]',
      'log: { level: 5, trace: { enabled: true, level: 2, rotateSize: 5m, keep: 3 } }',
    ].join('\n'),
  );
  const config = loadConfig({ file, env: {} });
  assert.is(config.dataDir, join(ctx.dir, 'data'));
  assert.is(config.web.port, 8080);
  assert.is(config.web.publicUrl, 'https://rec.example.com');
  assert.is(config.controller.tcpPort, 0);
  assert.is(config.controller.tlsCertFile, join(ctx.dir, 'tls/c.pem'));
  assert.is(config.plugins.storage?.[1]?.id, 'archive');
  assert.is(config.plugins.callEvents[0]?.id, 'main-pbx');
  assert.is(config.log.trace.level, 2);
});

test('JSON file and DESKREC_CONFIG', async (ctx) => {
  const file = await write(ctx, 'deskrec.json', JSON.stringify({ web: { port: 7000 } }));
  assert.is(loadConfig({ env: { DESKREC_CONFIG: file } }).web.port, 7000);
});

test('environment variables override the file', async (ctx) => {
  const file = await write(ctx, 'env.yaml', 'web: { port: 7000 }\ndataDir: /srv/a\n');
  const config = loadConfig({
    file,
    env: {
      DESKREC_WEB_PORT: '7100',
      DESKREC_DATA_DIR: '/srv/b',
      DATABASE_URL: 'postgres://u@db/deskrec',
      DESKREC_CONTROLLER_TCP_PORT: '0',
      DESKREC_CONTROLLER_TLS_PORT: '7443',
      DESKREC_LOG_LEVEL: '1',
      DESKREC_TRACE_ENABLED: 'yes',
      DESKREC_TRACE_LEVEL: '4',
    },
  });
  assert.is(config.web.port, 7100);
  assert.is(config.dataDir, '/srv/b');
  assert.is(config.database.url, 'postgres://u@db/deskrec');
  assert.is(config.controller.tcpPort, 0);
  assert.is(config.controller.tlsPort, 7443);
  assert.is(config.log.level, 1);
  assert.is(config.log.trace.enabled, true);
  assert.is(config.log.trace.level, 4);
});

test('error: wrong type names file, key path, expectation and the value', async (ctx) => {
  const file = await write(ctx, 'deskrec.yaml', 'web:\n  port: abc\n');
  assert.is(
    problem(() => loadConfig({ file, env: {} })),
    'deskrec.yaml: web.port: expected a number from 1 to 65535 (or 0 for any free port), got "abc"',
  );
});

test('error: out of range', async (ctx) => {
  const file = await write(ctx, 'range.yaml', 'web: { port: 70000 }\nlog: { trace: { level: 9 } }\n');
  const message = problem(() => loadConfig({ file, env: {} }));
  assert.match(
    message,
    'range.yaml: web.port: expected a number from 1 to 65535 (or 0 for any free port), got 70000',
  );
  assert.match(
    message,
    'range.yaml: log.trace.level: expected a whole number from 1 (errors only) to 5 (everything), got 9',
  );
});

test('error: unknown key (a typo) is named', async (ctx) => {
  const file = await write(ctx, 'typo.yaml', 'web: { prot: 80 }\n');
  assert.match(
    problem(() => loadConfig({ file, env: {} })),
    'typo.yaml: web.prot: unknown key',
  );
});

test('error: bad environment variable names the variable', () => {
  assert.is(
    problem(() => loadConfig({ env: { DESKREC_WEB_PORT: 'eighty' } })),
    'DESKREC_WEB_PORT (web.port): expected a number from 1 to 65535 (or 0 for any free port), got "eighty"',
  );
  assert.match(
    problem(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } })),
    'DATABASE_URL (database.url): expected a postgres://',
  );
});

test('error: missing file, unreadable syntax, not a mapping', async (ctx) => {
  assert.match(
    problem(() => loadConfig({ file: join(ctx.dir, 'nope.yaml'), env: {} })),
    'nope.yaml: the file does not exist',
  );
  const bad = await write(ctx, 'bad.yaml', 'web: { port: 1\n  host: [\n');
  assert.match(
    problem(() => loadConfig({ file: bad, env: {} })),
    /^bad\.yaml: not valid YAML or JSON at line \d+/,
  );
  const list = await write(ctx, 'list.yaml', '- a\n- b\n');
  assert.match(
    problem(() => loadConfig({ file: list, env: {} })),
    'list.yaml: expected a mapping of keys at the top level',
  );
});

test('error: plugin entries are checked (call-event sources need an id)', async (ctx) => {
  const file = await write(ctx, 'plugins.yaml', 'plugins: { callEvents: [{ use: webhook }] }\n');
  assert.match(
    problem(() => loadConfig({ file, env: {} })),
    'plugins.yaml: plugins.callEvents[0].id:',
  );
});

test('secrets by reference: ${VAR} from the environment, file: from a file beside the config', async (ctx) => {
  await write(ctx, 'pbx.secret', 's3cr3t-from-file\n');
  const file = await write(
    ctx,
    'refs.yaml',
    [
      'database: { url: "postgres://deskrec:${DB_PASSWORD}@db.example/deskrec" }',
      'plugins:',
      '  callEvents:',
      '    - { use: webhook, id: crm, options: { secret: "${DESKREC_PBX_SECRET}", note: "costs $$5" } }',
      '    - { use: asterisk, id: pbx, options: { secret: "file:pbx.secret" } }',
      '    - { use: "file:///opt/plugins/x.mjs", id: x }',
      '',
    ].join('\n'),
  );
  const config = loadConfig({ file, env: { DB_PASSWORD: 'pw', DESKREC_PBX_SECRET: 'from-env' } });
  assert.is(config.database.url, 'postgres://deskrec:pw@db.example/deskrec');
  const [crm, pbx, x] = config.plugins.callEvents;
  assert.is(x?.use, 'file:///opt/plugins/x.mjs', 'a file:// URL is a value, not a reference');
  assert.equal(crm?.options, { secret: 'from-env', note: 'costs $5' });
  assert.equal(pbx?.options, { secret: 's3cr3t-from-file' });
});

test('error: a missing variable or secret file names the key, never a value', async (ctx) => {
  const env = await write(ctx, 'env-ref.yaml', 'database: { url: "${NOT_SET_ANYWHERE}" }\n');
  assert.is(
    problem(() => loadConfig({ file: env, env: {} })),
    'env-ref.yaml: database.url: environment variable NOT_SET_ANYWHERE is not set; set it or write $${NOT_SET_ANYWHERE} for a literal text',
  );
  const missing = await write(
    ctx,
    'file-ref.yaml',
    'plugins: { callEvents: [{ use: webhook, id: crm, options: { secret: "file:/nonexistent/secret" } }] }\n',
  );
  assert.is(
    problem(() => loadConfig({ file: missing, env: {} })),
    'file-ref.yaml: plugins.callEvents[0].options.secret: the file it refers to (/nonexistent/secret) cannot be read (ENOENT); create it or correct the path',
  );
});

test.run();
