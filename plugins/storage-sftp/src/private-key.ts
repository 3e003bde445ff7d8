import fs from 'node:fs/promises';
import { StorageError } from '@deskrec/core';

/** The key text: `privateKey` itself when it holds a PEM/OpenSSH key, otherwise the file it names. */
export async function loadPrivateKey(privateKey: string | undefined): Promise<string | undefined> {
  if (privateKey === undefined || privateKey.includes('-----BEGIN')) return privateKey;
  try {
    return await fs.readFile(privateKey, 'utf8');
  } catch (error) {
    // Names the path, never key material (a path is not a secret).
    throw new StorageError(
      'misconfigured',
      `privateKey: neither key text nor a readable key file (${privateKey}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
}
