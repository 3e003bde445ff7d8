import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { pluginToken, TOKENS, type Token } from '@deskrec/core';
import { test } from 'uvu';
import { HOST_TOKENS } from '../src/tokens.js';
import { startTestHost, type TestHost } from './api-harness.js';
import { TestClock } from './support/test-clock.js';

let first: TestHost;
let second: TestHost;
const clock = new TestClock();

test.before(async () => {
  first = await startTestHost('embedded', '', (c) => c.register(TOKENS.Clock, { useValue: clock }));
  second = await startTestHost('embedded');
});
test.after(async () => {
  await first?.stop();
  await second?.stop();
});

test('every host token resolves, once per host', () => {
  const tokens: [string, Token<unknown>][] = [...Object.entries(HOST_TOKENS), ...Object.entries(TOKENS)];
  for (const [name, token] of tokens) {
    const service = first.host.resolve(token);
    assert.ok(service !== undefined && service !== null, `${name} resolves`);
    assert.equal(first.host.resolve(token), service, `${name}: one instance per host`);
  }
});

test('two hosts in one process share no service', () => {
  for (const name of [
    'Orchestrator',
    'JobRunner',
    'TargetResolver',
    'SettingsRepo',
    'Controller',
    'Metrics',
  ] as const) {
    const token: Token<unknown> = HOST_TOKENS[name];
    assert.notEqual(first.host.resolve(token), second.host.resolve(token), name);
  }
});

test('a registration passed to createHost replaces the default (the clock)', () => {
  assert.equal(first.host.resolve(TOKENS.Clock), clock);
  assert.notEqual(second.host.resolve(TOKENS.Clock), clock);
  const before = clock.now().getTime();
  clock.advance(60_000);
  assert.ok(first.host.resolve(TOKENS.Clock).now().getTime() >= before + 60_000);
});

test('loaded plugins are registered under their instance token; the API sees the controller', () => {
  const policy = first.host.resolve(pluginToken('auth', 'token'));
  assert.equal(first.host.resolve(HOST_TOKENS.AuthPolicy), policy);
  assert.equal(first.host.resolve(HOST_TOKENS.AgentChannel), first.host.resolve(HOST_TOKENS.Controller));
  assert.equal(
    first.host.resolve(HOST_TOKENS.ControllerHooks).channel,
    first.host.resolve(HOST_TOKENS.Controller),
  );
});

test('core ships no DI library to plugins', async () => {
  const core = JSON.parse(await readFile(new URL('../../core/package.json', import.meta.url), 'utf8'));
  for (const name of ['tsyringe', 'reflect-metadata']) {
    assert.equal(core.dependencies?.[name], undefined, `${name} is not a dependency of @deskrec/core`);
    assert.equal(core.peerDependencies?.[name], undefined, `${name} is not a peer of @deskrec/core`);
  }
});

test.run();
