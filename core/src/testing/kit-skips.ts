/** A test the implementation opts out of, always with the reason (printed with the results). */
export interface KitSkip<T extends string> {
  test: T;
  reason: string;
}

/** Returns the skip reason for `test`, or undefined; throws on a skip without a reason. */
export function skipReason<T extends string>(
  skips: readonly KitSkip<T>[] | undefined,
  test: T,
): string | undefined {
  const skip = skips?.find((s) => s.test === test);
  if (skip && !skip.reason.trim()) throw new Error(`Skip of "${test}" needs a reason`);
  return skip?.reason;
}
