import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';
import type { AgentConfig } from '../config/agent-config.js';
import { type LoginReading, readConsoleLogin } from '../session/current-login.js';
import { describePresence } from '../session/login-watcher.js';

/** Who the host will be told is signed in: a configured login, the console user, or nobody, said plainly. */
export async function checkLogin(
  config: AgentConfig,
  read: () => Promise<LoginReading> = () => readConsoleLogin(),
): Promise<CheckLine> {
  const check = 'login';
  if (config.login) return checkOk(check, `${config.login} (configured; the OS is not asked)`);
  const reading = await read();
  const text = describePresence(reading);
  if (reading.presence === 'signed-in') return checkOk(check, text);
  if (reading.presence === 'no-user')
    return checkWarn(check, text, 'sign in at the console, or set login for a fixed user');
  return checkFail(check, text, 'set login (DESKREC_LOGIN) in the agent config');
}
