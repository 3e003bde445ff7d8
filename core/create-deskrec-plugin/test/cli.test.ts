import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_API_VERSION } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HELP, runCli } from '../src/cli.js';
import { defaultTitle, packageNameProblem, pluginIds } from '../src/names.js';
import { API_RANGE, CORE_RANGE } from '../src/versions.js';

function io(answers: string[] = []) {
  const out: string[] = [];
  const asked: string[] = [];
  return {
    out,
    asked,
    io: {
      out: { write: (t: string) => out.push(t) },
      err: { write: (t: string) => out.push(t) },
      ask: async (question: string) => {
        asked.push(question);
        return answers.shift() ?? '';
      },
    },
  };
}

test('ids come from the package name, with the kind prefix', () => {
  assert.equal(pluginIds('storage', '@acme/deskrec-storage-webdav'), {
    pluginId: 'storage-webdav',
    shortId: 'webdav',
  });
  assert.equal(pluginIds('call-events', 'deskrec-3cx'), { pluginId: 'pbx-3cx', shortId: '3cx' });
  assert.equal(pluginIds('auth', '@corp/ldap-gate'), { pluginId: 'auth-ldap-gate', shortId: 'ldap-gate' });
  assert.is(defaultTitle('storage', 'webdav'), 'Webdav storage');
});

test('package names follow npm rules', () => {
  assert.is(packageNameProblem('@acme/deskrec-storage-webdav'), undefined);
  assert.match(packageNameProblem('Acme Storage') ?? '', 'lowercase');
  assert.match(packageNameProblem('') ?? '', 'required');
});

test('the ranges written into plugins cover this repository’s core', () => {
  const core = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
  const [major, minor] = core.version.split('.');
  assert.is(CORE_RANGE, `^${major}.${minor}.0`);
  assert.is(API_RANGE, `^${CORE_API_VERSION.split('.')[0]}.0.0`);
});

test('without a terminal, missing flags are a usage error naming them', async () => {
  const { out } = io();
  const code = await runCli(['--kind', 'storage'], {
    out: { write: (t: string) => out.push(t) },
    err: { write: (t: string) => out.push(t) },
  });
  assert.is(code, 2);
  assert.match(out.join(''), '--name required (no terminal to ask in)');
});

test('an unknown kind is refused with the list', async () => {
  const { out, io: cli } = io();
  assert.is(await runCli(['--kind', 'printer', '--name', 'x'], cli), 2);
  assert.match(out.join(''), 'storage, call-events, capture, auth');
});

test('in a terminal, missing values are asked for, and a bad answer is asked again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'create-deskrec-plugin-ask-'));
  try {
    const { out, asked, io: cli } = io(['printer', 'storage', 'Bad Name', '@acme/deskrec-storage-asked']);
    const code = await runCli(['--dir', join(dir, 'p')], cli);
    assert.is(code, 0, out.join(''));
    assert.is(asked.length, 4);
    assert.match(out.join(''), 'the kind must be one of');
    const pkg = JSON.parse(await readFile(join(dir, 'p/package.json'), 'utf8'));
    assert.is(pkg.name, '@acme/deskrec-storage-asked');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder that is not empty is never written into', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'create-deskrec-plugin-full-'));
  try {
    await writeFile(join(dir, 'keep.txt'), 'mine');
    const { out, io: cli } = io();
    assert.is(await runCli(['--kind', 'auth', '--name', 'deskrec-auth-x', '--dir', dir], cli), 1);
    assert.match(out.join(''), 'not empty');
    assert.is(await readFile(join(dir, 'keep.txt'), 'utf8'), 'mine');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--help lists the kinds and flags', async () => {
  const { out, io: cli } = io();
  assert.is(await runCli(['--help'], cli), 0);
  assert.is(out.join(''), `${HELP}\n`);
  assert.match(HELP, '--kind <kind>');
});

test.run();
