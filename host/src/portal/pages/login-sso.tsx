import { OIDC_START_PATH } from '../../accounts/oidc/oidc-config.js';
import type { PortalDeps } from '../deps.js';
import { BarePage } from '../layout.js';

/** The login page's "Sign in with <provider>" button, when single sign-on is configured. */
export function SsoButton(props: { sso: PortalDeps['sso']; next: string }) {
  if (!props.sso) return null;
  return (
    <a class="btn primary" href={`${OIDC_START_PATH}?next=${encodeURIComponent(props.next)}`}>
      Sign in with {props.sso.name}
    </a>
  );
}

/** The login page when password sign-in is turned off: the provider's button only. */
export function SsoOnlyLogin(props: {
  sso: NonNullable<PortalDeps['sso']>;
  next: string;
  error?: string | undefined;
}) {
  return (
    <BarePage title="Sign in">
      <div class="login-wrap">
        <main class="login">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true">
              ▶
            </span>
            deskrec
          </span>
          <h1>Sign in</h1>
          {props.error ? (
            <div class="notice error" role="alert">
              {props.error}
            </div>
          ) : null}
          <SsoButton sso={props.sso} next={props.next} />
        </main>
      </div>
    </BarePage>
  );
}
