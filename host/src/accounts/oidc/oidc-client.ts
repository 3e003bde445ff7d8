import * as client from 'openid-client';
import { OIDC_CALLBACK_PATH, type OidcConfig } from './oidc-config.js';

/** What a browser carries from the start of a sign-in to its callback (in a short-lived HttpOnly cookie). */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  /** The redirect_uri sent; the token request must send the same. */
  redirect: string;
}

/** The library's message with the check that failed (kept in its `cause`), for the log and audit. */
function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/** Why a callback was refused: shown to the user as a sentence, recorded as the code. */
export class OidcRefusal extends Error {
  constructor(
    readonly reason: 'provider-error' | 'bad-response' | 'unavailable',
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/**
 * The relying party: discovery once (again after a failure), authorization code flow with PKCE, `state`
 * and `nonce`; openid-client validates the ID token (signature, issuer, audience, expiry, nonce).
 */
export class OidcClient {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(
    private readonly config: OidcConfig,
    /** Unset: the origin the browser used (no web.publicUrl; the provider still checks it against its list). */
    private readonly redirectUrl: string | undefined,
  ) {}

  get issuer(): string {
    return this.config.issuer;
  }

  private configuration(): Promise<client.Configuration> {
    this.discovered ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        this.config.clientSecret,
        undefined,
        // The schema allows plain http only for a provider on this machine.
        this.config.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.discovered = undefined;
        throw new OidcRefusal(
          'unavailable',
          'The sign-in provider cannot be reached; try again later.',
          explain(error),
        );
      });
    return this.discovered;
  }

  /** The provider's authorization URL and what the callback must check it against. */
  async start(next: string, origin: string): Promise<{ url: URL; transaction: OidcTransaction }> {
    const configuration = await this.configuration();
    const transaction: OidcTransaction = {
      redirect: this.redirectUrl ?? `${origin}${OIDC_CALLBACK_PATH}`,
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: transaction.redirect,
      scope: this.config.scopes.join(' '),
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /**
   * Exchanges the code of the callback URL and returns the ID token's claims merged with the userinfo
   * answer (providers put groups in either).
   */
  async finish(
    callbackUrl: URL,
    transaction: OidcTransaction,
  ): Promise<client.IDToken & Record<string, unknown>> {
    const configuration = await this.configuration();
    // The library takes the redirect_uri it sends from this URL: the one sent at the start.
    const current = new URL(transaction.redirect);
    current.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof client.AuthorizationResponseError) {
        throw new OidcRefusal(
          'provider-error',
          'The sign-in provider refused the sign-in.',
          `${error.error}: ${error.error_description ?? ''}`,
        );
      }
      throw new OidcRefusal(
        'bad-response',
        'The sign-in could not be verified; start it again.',
        explain(error),
      );
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcRefusal('bad-response', 'The provider sent no ID token.');
    if (!configuration.serverMetadata().userinfo_endpoint) return claims;
    try {
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      return { ...info, ...claims };
    } catch (error) {
      throw new OidcRefusal(
        'bad-response',
        'The sign-in provider did not answer for the user; try again.',
        explain(error),
      );
    }
  }
}
