import { randomBytes } from 'node:crypto';
import { systemClock } from '@deskrec/core';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { createRepositories } from '../db/repositories.js';
import { openCliDatabase } from './cli-database.js';

export interface ResetPasswordOptions {
  file?: string;
  username: string;
  tenant: string;
  out?: { write(text: string): void };
}

/**
 * Gives a portal account a new random password, printed once, and ends its sessions: the way back in for an
 * admin who lost theirs. Reads the same configuration as `start`. The embedded database is held by a running
 * host, so with it the host must be stopped first.
 */
export async function resetPassword(options: ResetPasswordOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const config = loadConfig(options.file ? { file: options.file } : {});
  const handle = await openCliDatabase(config);
  try {
    const repos = createRepositories(handle.db, systemClock);
    const tenant = await repos.tenants.bySlug(options.tenant);
    if (!tenant) throw new ConfigError(`no tenant "${options.tenant}"; pass --tenant <slug>`);
    const users = repos.adminUsers;
    const user = await users.byUsername(tenant.id, options.username);
    if (!user) {
      throw new ConfigError(
        `no portal account "${options.username}" in tenant "${tenant.slug}"; pass --username`,
      );
    }
    // 18 random bytes: 144 bits, far past any guessing, and the same alphabet as the first-start password.
    const password = randomBytes(18).toString('base64url');
    await users.setPassword(tenant.id, user.id, password);
    const ended = await repos.sessions.deleteForUser(tenant.id, user.id);
    await repos.audit.record(tenant.id, {
      actorUserId: null,
      action: 'auth.password-reset',
      targetType: 'admin-user',
      targetId: user.id,
      detail: { via: 'deskrec-host admin reset-password', sessionsEnded: ended },
      ip: null,
    });
    out.write(
      [
        `New password for "${user.username}" in tenant "${tenant.slug}" (shown once): ${password}`,
        `${ended} session(s) ended.${user.disabled ? ' The account is disabled; enable it in the portal.' : ''}`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await handle.close();
  }
}
