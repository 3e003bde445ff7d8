// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests write the config file's ${VAR} syntax, not templates
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load-config.js';
import { tempDir } from './db-harness.js';

const test = suite<{ dir: string; remove(): Promise<void> }>('config: the oidc block');

test.before(async (ctx) => {
  const d = await tempDir('deskrec-config-oidc-');
  ctx.dir = d.path;
  ctx.remove = d.remove;
});
test.after(async (ctx) => ctx.remove());

async function load(ctx: { dir: string }, text: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(ctx.dir, 'deskrec.yaml');
  await writeFile(file, text);
  return loadConfig({ file, env });
}

async function problem(ctx: { dir: string }, text: string): Promise<string> {
  try {
    await load(ctx, text);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test('defaults, and the secret from an environment variable or a file', async (ctx) => {
  await writeFile(join(ctx.dir, 'secret.txt'), 'from-a-file\n');
  const config = await load(
    ctx,
    'oidc: { issuer: "https://sso.example.com/realms/cc", clientId: deskrec, clientSecret: "${OIDC_SECRET}" }\n',
    { OIDC_SECRET: 'from-the-env' },
  );
  assert.equal(config.oidc, {
    name: 'single sign-on',
    issuer: 'https://sso.example.com/realms/cc',
    clientId: 'deskrec',
    clientSecret: 'from-the-env',
    scopes: ['openid', 'email', 'profile'],
    roleClaim: 'groups',
    roles: { admin: [], supervisor: [] },
    tenant: 'default',
    createUsers: false,
    passwordSignIn: true,
  });
  const fromFile = await load(
    ctx,
    'oidc: { issuer: "https://sso.example.com", clientId: deskrec, clientSecret: "file:secret.txt" }\n',
  );
  assert.is(fromFile.oidc?.clientSecret, 'from-a-file');
  assert.is((await load(ctx, 'log: { level: 1 }\n')).oidc, undefined, 'absent unless configured');
});

test('errors name the key and the problem', async (ctx) => {
  const message = await problem(
    ctx,
    [
      'oidc:',
      '  issuer: "http://sso.example.com"',
      '  scopes: [email]',
      '  defaultRole: owner',
      '  tenant: "Bad Tenant"',
    ].join('\n'),
  );
  assert.match(
    message,
    'deskrec.yaml: oidc.issuer: expected https:// (plain http only for a provider on this machine)',
  );
  assert.match(message, 'oidc.clientId:');
  assert.match(message, 'oidc.clientSecret:');
  assert.match(message, 'oidc.scopes: must include "openid"');
  assert.match(message, 'oidc.defaultRole:');
  assert.match(message, 'oidc.tenant: a tenant slug');
});

test.run();
