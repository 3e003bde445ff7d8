import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import {
  parseCimUserName,
  parseConsoleOwner,
  parseLoginctlSessions,
  parseProperties,
  parseQueryUser,
  parseWho,
  userOfSession,
} from './login-parsers.js';

const execute = promisify(execFile);

/** What the OS says about the console: who is signed in, nobody, or that it could not be asked. */
export interface LoginReading {
  login: string | null;
  presence: 'signed-in' | 'no-user' | 'unknown';
  /** How it was read, for the doctor and the trace log. */
  source: string;
}

export type RunCommand = (cmd: string, args: string[]) => Promise<string>;

const runCommand: RunCommand = async (cmd, args) =>
  (await execute(cmd, args, { timeout: 5000, windowsHide: true })).stdout;

const signedIn = (login: string, source: string): LoginReading => ({ login, presence: 'signed-in', source });
const nobody = (source: string): LoginReading => ({ login: null, presence: 'no-user', source });

async function tryRun(run: RunCommand, cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return await run(cmd, args);
  } catch {
    return undefined;
  }
}

/** logind: the active session of seat0, else any active local user session; undefined when logind is absent. */
async function viaLogind(run: RunCommand): Promise<LoginReading | undefined> {
  const seat = await tryRun(run, 'loginctl', ['show-seat', 'seat0', '-p', 'ActiveSession']);
  const sessions = await tryRun(run, 'loginctl', ['list-sessions', '--no-legend']);
  if (seat === undefined && sessions === undefined) return undefined;
  const ids = [
    parseProperties(seat ?? '').ActiveSession,
    ...parseLoginctlSessions(sessions ?? '').map((s) => s.id),
  ];
  for (const id of new Set(ids.filter(Boolean))) {
    const props = await tryRun(run, 'loginctl', [
      'show-session',
      id!,
      '-p',
      'Name',
      '-p',
      'Active',
      '-p',
      'Remote',
      '-p',
      'Class',
    ]);
    const user = props && userOfSession(parseProperties(props));
    if (user) return signedIn(user, `logind session ${id}`);
  }
  return nobody('logind');
}

async function linux(run: RunCommand, processUser: string): Promise<LoginReading> {
  const logind = await viaLogind(run);
  if (logind?.login) return logind;
  const who = await tryRun(run, 'who', []);
  const user = who === undefined ? null : parseWho(who);
  if (user) return signedIn(user, 'who');
  // Run as a user (not as a service), the agent's own account is the one at the screen.
  if (processUser !== 'root') return signedIn(processUser, 'the agent process user');
  if (logind || who !== undefined) return nobody(logind ? 'logind' : 'who');
  return { login: null, presence: 'unknown', source: 'neither loginctl nor who could be run' };
}

async function windows(run: RunCommand): Promise<LoginReading> {
  const cim = await tryRun(run, 'powershell.exe', [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    '(Get-CimInstance Win32_ComputerSystem).UserName',
  ]);
  const owner = cim === undefined ? null : parseCimUserName(cim);
  if (owner) return signedIn(owner, 'Win32_ComputerSystem');
  // quser exits 1 when nobody is signed in, with "No User exists for *" on stderr.
  let quser: string | undefined;
  try {
    quser = await run('query', ['user']);
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    quser = e.stdout || (/no user exists/i.test(e.stderr ?? '') ? '' : undefined);
  }
  const user = quser === undefined ? null : parseQueryUser(quser);
  if (user) {
    const domain = process.env.USERDOMAIN;
    return signedIn(domain && !user.includes('\\') ? `${domain}\\${user}` : user, 'query user');
  }
  if (cim !== undefined || quser !== undefined)
    return nobody(quser !== undefined ? 'query user' : 'Win32_ComputerSystem');
  return { login: null, presence: 'unknown', source: 'neither powershell nor query user could be run' };
}

async function macos(run: RunCommand): Promise<LoginReading> {
  const owner = await tryRun(run, 'stat', ['-f', '%Su', '/dev/console']);
  if (owner === undefined) return { login: null, presence: 'unknown', source: 'stat /dev/console failed' };
  const user = parseConsoleOwner(owner);
  return user ? signedIn(user, 'console owner') : nobody('console owner');
}

/**
 * The user at this workstation's console, in the DOMAIN\login form where the OS has one. A service runs as
 * another account than the user, so the OS is asked rather than the process.
 */
export async function readConsoleLogin(
  platform: NodeJS.Platform = process.platform,
  run: RunCommand = runCommand,
  processUser: string = os.userInfo().username,
): Promise<LoginReading> {
  if (platform === 'win32') return windows(run);
  if (platform === 'darwin') return macos(run);
  return linux(run, processUser);
}
