import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function firstLine(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 5000, windowsHide: true });
    return stdout
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * The login of the user at this workstation's console, in the DOMAIN\login form where the OS has one.
 * A service runs as another account than the user, so the OS is asked rather than the process.
 */
export async function readConsoleLogin(): Promise<string | null> {
  if (process.platform === 'win32') {
    const line = await firstLine('powershell.exe', [
      '-NoProfile',
      '-Command',
      '(Get-CimInstance Win32_ComputerSystem).UserName',
    ]);
    return line || null;
  }
  if (process.platform === 'darwin') {
    const user = await firstLine('stat', ['-f', '%Su', '/dev/console']);
    return user && user !== 'root' ? user : null;
  }
  const who = await firstLine('sh', ['-c', "who | awk '$2 ~ /^(:|tty|seat)/ {print $1; exit}'"]);
  if (who) return who;
  const me = os.userInfo().username;
  return me === 'root' ? null : me;
}
