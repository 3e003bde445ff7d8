import type { Context } from 'hono';
import { apiError, callApi } from '../api-call.js';
import type { PortalDeps } from '../deps.js';
import type { FormData } from '../form.js';
import { BarePage, Brand } from '../layout.js';

interface Challenge {
  secondFactor: { challenge: string };
}

/** The API's answer to a right password of an account with a second factor. */
export function isChallenge(body: unknown): body is Challenge {
  return typeof (body as Partial<Challenge> | undefined)?.secondFactor?.challenge === 'string';
}

/** The sign-in's second step: the code of the authenticator app (or a recovery code). */
export function SecondFactorForm(props: { next: string; challenge: string; error?: string | undefined }) {
  return (
    <BarePage title="Sign in">
      <div class="login-wrap">
        <main class="login">
          <Brand />
          <h1>Enter your code</h1>
          {props.error ? (
            <div class="notice error" role="alert">
              {props.error}
            </div>
          ) : null}
          <form method="post" action="/login">
            <input type="hidden" name="next" value={props.next} />
            <input type="hidden" name="challenge" value={props.challenge} />
            <div class="field">
              <label for="code">Code</label>
              <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                required
                autofocus
              />
              <p class="help">The 6-digit code of your authenticator app, or one of your recovery codes.</p>
            </div>
            <button class="btn primary" type="submit">
              Sign in
            </button>
          </form>
          <p>
            <a href="/login">Start again</a>
          </p>
        </main>
      </div>
    </BarePage>
  );
}

/** Sends the code with the challenge; signs in (the API's cookie) or shows the form again with why. */
export async function secondFactorStep(c: Context, deps: PortalDeps, form: FormData, next: string) {
  const challenge = form.get('challenge') ?? '';
  const result = await callApi(c, deps, 'POST', '/auth/login/second-factor', {
    challenge,
    code: form.get('code') ?? '',
  });
  const error = apiError(result);
  if (error) {
    c.status(error.code === 'locked' ? 429 : error.code === 'invalid' ? 400 : 401);
    if (error.code === 'challenge-expired') return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    const text =
      error.code === 'locked'
        ? error.message
        : error.code === 'invalid'
          ? 'Enter the 6-digit code of your app or a recovery code.'
          : 'That code is wrong, expired or used already.';
    return c.html(<SecondFactorForm next={next} challenge={challenge} error={text} />);
  }
  for (const cookie of result.headers.getSetCookie()) c.header('set-cookie', cookie, { append: true });
  return c.redirect(next, 303);
}
