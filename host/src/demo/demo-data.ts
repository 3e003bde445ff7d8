import { randomBytes } from 'node:crypto';
import { FIRST_ADMIN_USERNAME } from '../app/bootstrap.js';
import type { Repositories } from '../db/repositories.js';
import { DEMO_LOGIN } from './demo-agent.js';

export const DEMO_EXTENSION = '1001';

/**
 * Short files and a short wrap-up so a 15–40 s demo call is stored within about a minute of its start.
 */
export async function applyDemoSettings(repos: Repositories, tenantId: string): Promise<void> {
  const settings = await repos.settings.get(tenantId);
  await repos.settings.put(tenantId, {
    ...settings,
    fps: 5,
    maxFileSeconds: 10,
    wrapUpSeconds: 3,
    maxWidth: 1280,
    maxHeight: 720,
  });
}

/** The licensed demo user with the agent's login and the simulated extension; created once. */
export async function ensureDemoUser(repos: Repositories, tenantId: string): Promise<void> {
  if (await repos.users.byLogin(tenantId, DEMO_LOGIN)) return;
  await repos.users.create(tenantId, {
    name: 'Demo Agent',
    screenRecordingLogin: DEMO_LOGIN,
    seatLicence: true,
    extensions: [DEMO_EXTENSION],
    externalId: null,
  });
}

/** Gives the demo admin a new password (later runs cannot show the first one: only its hash is stored). */
export async function resetDemoAdminPassword(repos: Repositories, tenantId: string): Promise<string> {
  const password = randomBytes(12).toString('base64url');
  await repos.adminUsers.resetPassword(tenantId, FIRST_ADMIN_USERNAME, password);
  return password;
}
