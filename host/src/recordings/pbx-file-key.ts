import { keyProblem } from '@deskrec/core';

/** The key of a PBX recording below its folder, or why the reported file name is refused. */
export type PbxFileKey = { key: string } | { refused: string };

/**
 * Maps the file name a PBX reported to a key below `prefix`. The name comes from the phone system's event
 * stream, so anything that could leave the folder is refused rather than cleaned up: a name outside the
 * prefix, a `.`/`..` or empty folder, a backslash or a control character.
 */
export function pbxFileKey(file: string, prefix: string): PbxFileKey {
  if (!file.startsWith(prefix)) return { refused: `${JSON.stringify(file)} is outside ${prefix}` };
  const key = file.slice(prefix.length);
  const problem = keyProblem(key);
  return problem ? { refused: `${JSON.stringify(file)} is refused: ${problem}` } : { key };
}
