import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** Shortest accepted password; length beats every other rule against offline guessing. */
export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn's score 3: "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/** Built on first use: the dictionaries (common passwords, English words and names) take a moment to load. */
function passwordEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return estimator;
}

/**
 * Why a password is refused, or undefined when it is strong enough: at least 12 characters and a zxcvbn
 * score of 3, judged against common and breached passwords, dictionary words, keyboard patterns and the
 * account's own names (username, tenant).
 */
export async function passwordProblem(
  password: string,
  context: readonly string[] = [],
): Promise<string | undefined> {
  if (password.length < MIN_PASSWORD_LENGTH) return `expected at least ${MIN_PASSWORD_LENGTH} characters`;
  const result = await passwordEstimator().check(password, [...context, 'deskrec']);
  if (result.score >= MIN_SCORE) return undefined;
  const why = result.feedback.warning ?? 'it is too easy to guess';
  const hint = result.feedback.suggestions[0] ?? 'Use a longer phrase of unrelated words.';
  return `too easy to guess: ${why.replace(/\.$/, '')}. ${hint}`;
}
