import { OidcClient } from './oidc-client.js';
import { OIDC_CALLBACK_PATH, type OidcConfig } from './oidc-config.js';

/** Single sign-on as the API and the login page see it. */
export interface OidcSignIn {
  config: OidcConfig;
  client: OidcClient;
}

/** Sign-in through the configured provider, or undefined when none is configured. */
export function createOidcSignIn(
  config: OidcConfig | undefined,
  publicUrl: string | undefined,
): OidcSignIn | undefined {
  if (!config) return undefined;
  const redirectUrl =
    config.redirectUrl ?? (publicUrl ? `${publicUrl.replace(/\/$/, '')}${OIDC_CALLBACK_PATH}` : undefined);
  return { config, client: new OidcClient(config, redirectUrl) };
}

/** What the login page says after a refused single sign-on, by reason code. */
export const OIDC_FAILURE_MESSAGES: Record<string, string> = {
  expired: 'The sign-in took too long or was started in another browser; try again.',
  'provider-error': 'The sign-in provider refused the sign-in.',
  'bad-response': 'The sign-in could not be verified; start it again.',
  unavailable: 'The sign-in provider cannot be reached; try again later.',
  'no-role': 'Your account at the provider gives no deskrec role; ask an administrator.',
  'unknown-user': 'No deskrec user belongs to your account; ask an administrator to add you.',
  disabled: 'Your deskrec user is disabled.',
  'username-taken': 'A deskrec user of your name exists but is not yours; ask an administrator.',
  'no-tenant': 'Single sign-on is set up for a tenant that does not exist; ask an administrator.',
};
