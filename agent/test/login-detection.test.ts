import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AgentMessageSchema, PROTOCOL_VERSION } from '@deskrec/core';
import { test } from 'uvu';
import { AgentConfigSchema } from '../src/config/agent-config.js';
import { checkLogin } from '../src/doctor/session-checks.js';
import { type RunCommand, readConsoleLogin } from '../src/session/current-login.js';
import {
  parseConsoleOwner,
  parseLoginctlSessions,
  parseQueryUser,
  parseWho,
} from '../src/session/login-parsers.js';

const fixture = (name: string) =>
  fs.readFileSync(fileURLToPath(new URL(`./fixtures/login/${name}`, import.meta.url)), 'utf8');

/** Answers commands from recorded outputs; a command with no recording fails like a missing binary. */
function recorded(outputs: Record<string, string>): RunCommand {
  return async (cmd, args) => {
    const key = [
      cmd,
      ...args.filter((a) => !a.startsWith('-') && !/^(Name|Active|Remote|Class)$/.test(a)),
    ].join(' ');
    const found = Object.entries(outputs).find(([k]) => key.startsWith(k));
    if (!found) throw Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: 'ENOENT' });
    return found[1];
  };
}

const logind = {
  'loginctl show-seat seat0': fixture('loginctl-show-seat.txt'),
  'loginctl list-sessions': fixture('loginctl-list-sessions.txt'),
  'loginctl show-session 3': fixture('loginctl-show-session-3.txt'),
  'loginctl show-session c1': fixture('loginctl-show-session-c1.txt'),
  'loginctl show-session 7': fixture('loginctl-show-session-7.txt'),
};

test('parsers: loginctl sessions of old and new systemd, with and without a seat', () => {
  assert.deepEqual(parseLoginctlSessions(fixture('loginctl-list-sessions.txt')), [
    { id: 'c1', user: 'gdm', seat: 'seat0' },
    { id: '3', user: 'alice', seat: 'seat0' },
    { id: '7', user: 'bob', seat: '' },
  ]);
  assert.deepEqual(parseLoginctlSessions(fixture('loginctl-list-sessions-v247.txt')), [
    { id: '3', user: 'alice', seat: 'seat0' },
    { id: '7', user: 'bob', seat: '' },
  ]);
});

test('parsers: who prefers the X display, takes a text console, ignores remote logins', () => {
  assert.equal(parseWho(fixture('who.txt')), 'alice');
  assert.equal(parseWho(fixture('who-tty.txt')), 'carol');
  assert.equal(parseWho(fixture('who-remote-only.txt')), null);
  assert.equal(parseWho(''), null);
});

test('parsers: query user takes the active console session, then any active one, never a disconnected one', () => {
  assert.equal(parseQueryUser(fixture('query-user.txt')), 'alice');
  assert.equal(parseQueryUser(fixture('query-user-rdp.txt')), 'dave');
  assert.equal(parseQueryUser(fixture('query-user-disconnected.txt')), null);
  assert.equal(parseConsoleOwner(fixture('stat-console.txt')), 'alice');
  assert.equal(parseConsoleOwner(fixture('stat-console-loginwindow.txt')), null);
});

test("linux: the seat's active logind session wins over who and the process user", async () => {
  const reading = await readConsoleLogin(
    'linux',
    recorded({ ...logind, who: fixture('who-tty.txt') }),
    'root',
  );
  assert.deepEqual(reading, { login: 'alice', presence: 'signed-in', source: 'logind session 3' });
});

test('linux: a greeter and a remote session are nobody at the console; who is asked next', async () => {
  const onlyGreeter = {
    'loginctl show-seat seat0': 'ActiveSession=c1\n',
    'loginctl list-sessions': fixture('loginctl-list-sessions.txt').replace(/^.*alice.*$/m, ''),
    'loginctl show-session c1': fixture('loginctl-show-session-c1.txt'),
    'loginctl show-session 7': fixture('loginctl-show-session-7.txt'),
  };
  assert.deepEqual(await readConsoleLogin('linux', recorded({ ...onlyGreeter, who: '' }), 'root'), {
    login: null,
    presence: 'no-user',
    source: 'logind',
  });
  assert.equal(
    (await readConsoleLogin('linux', recorded({ ...onlyGreeter, who: fixture('who-tty.txt') }), 'root'))
      .login,
    'carol',
  );
});

test('linux without logind: who, then the agent user; as root with nobody signed in, "no-user"', async () => {
  assert.deepEqual(await readConsoleLogin('linux', recorded({ who: fixture('who.txt') }), 'root'), {
    login: 'alice',
    presence: 'signed-in',
    source: 'who',
  });
  assert.equal((await readConsoleLogin('linux', recorded({ who: '' }), 'erin')).login, 'erin');
  assert.deepEqual(await readConsoleLogin('linux', recorded({ who: '' }), 'root'), {
    login: null,
    presence: 'no-user',
    source: 'who',
  });
  assert.equal((await readConsoleLogin('linux', recorded({}), 'root')).presence, 'unknown');
});

test('windows: the console owner with its domain, else query user; nobody is "no-user"', async () => {
  assert.deepEqual(
    await readConsoleLogin('win32', recorded({ 'powershell.exe': fixture('cim-username.txt') })),
    {
      login: 'CONTOSO\\alice',
      presence: 'signed-in',
      source: 'Win32_ComputerSystem',
    },
  );
  const rdp = await readConsoleLogin(
    'win32',
    recorded({
      'powershell.exe': fixture('cim-username-empty.txt'),
      'query user': fixture('query-user-rdp.txt'),
    }),
  );
  assert.match(rdp.login!, /(^|\\)dave$/);
  const none = await readConsoleLogin(
    'win32',
    recorded({
      'powershell.exe': fixture('cim-username-empty.txt'),
      'query user': fixture('query-user-disconnected.txt'),
    }),
  );
  assert.deepEqual(none, { login: null, presence: 'no-user', source: 'query user' });
});

test('macos: the console owner; root is the login window', async () => {
  assert.equal(
    (await readConsoleLogin('darwin', recorded({ stat: fixture('stat-console.txt') }))).login,
    'alice',
  );
  assert.deepEqual(
    await readConsoleLogin('darwin', recorded({ stat: fixture('stat-console-loginwindow.txt') })),
    {
      login: null,
      presence: 'no-user',
      source: 'console owner',
    },
  );
});

test('this machine: the real commands give a reading that agrees with who', async () => {
  const reading = await readConsoleLogin();
  const who = (() => {
    try {
      return parseWho(execFileSync('who', { encoding: 'utf8' }));
    } catch {
      return null;
    }
  })();
  if (who) assert.equal(reading.presence, 'signed-in');
  else if (process.getuid?.() === 0) assert.notEqual(reading.presence, 'signed-in', JSON.stringify(reading));
  assert.ok(reading.source);
});

test('doctor and protocol: "no user signed in" is a warning and travels in the session message', async () => {
  const config = AgentConfigSchema.parse({ controller: { primary: 'h' }, tenantToken: 'x'.repeat(20) });
  const none = await checkLogin(config, async () => ({ login: null, presence: 'no-user', source: 'who' }));
  assert.equal(none.status, 'warn');
  assert.match(none.message, /^no user signed in at the console \(who\): calls are not recorded/);
  const unknown = await checkLogin(config, async () => ({ login: null, presence: 'unknown', source: 'x' }));
  assert.equal(unknown.status, 'fail');
  const fixed = await checkLogin({ ...config, login: 'CORP\\zoe' });
  assert.equal(fixed.message, 'CORP\\zoe (configured; the OS is not asked)');
  const message = AgentMessageSchema.parse({
    v: PROTOCOL_VERSION,
    type: 'session',
    login: null,
    presence: 'no-user',
  });
  assert.deepEqual(message, { v: PROTOCOL_VERSION, type: 'session', login: null, presence: 'no-user' });
});

test.run();
