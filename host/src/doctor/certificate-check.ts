import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';

const CHECK = 'certificates';
const DAY_MS = 86_400_000;

async function readPem(file: string): Promise<{ text?: string; missing?: boolean; error?: string }> {
  try {
    return { text: await fs.readFile(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { missing: true } : { error: code ?? (error as Error).message };
  }
}

/**
 * The controller's TLS key and certificate: present, readable, parseable, within their validity dates,
 * and the key belongs to the certificate. Both missing is fine: the host generates a self-signed pair.
 */
export async function checkCertificates(
  keyFile: string,
  certFile: string,
  now = new Date(),
): Promise<CheckLine> {
  const [key, cert] = await Promise.all([readPem(keyFile), readPem(certFile)]);
  if (key.missing && cert.missing) {
    return checkOk(CHECK, `no key or certificate yet; the host generates a self-signed pair at ${certFile}`);
  }
  if (key.missing || cert.missing) {
    const [absent, present] = key.missing ? [keyFile, certFile] : [certFile, keyFile];
    return checkFail(
      CHECK,
      `${absent} is missing but ${present} exists`,
      'restore the missing file, or remove both to have a new self-signed pair generated',
    );
  }
  if (key.error || cert.error) {
    const file = key.error ? keyFile : certFile;
    return checkFail(
      CHECK,
      `${file} cannot be read (${key.error ?? cert.error})`,
      'give the user running deskrec read access to it',
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert.text!);
  } catch (error) {
    return checkFail(
      CHECK,
      `${certFile} is not a PEM certificate: ${(error as Error).message}`,
      'put a PEM certificate there',
    );
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key.text!));
  } catch (error) {
    return checkFail(
      CHECK,
      `${keyFile} is not a PEM private key: ${(error as Error).message}`,
      'put the unencrypted PEM private key of the certificate there',
    );
  }
  if (!matches) {
    return checkFail(
      CHECK,
      `${keyFile} does not belong to ${certFile}`,
      'install the key the certificate was issued for',
    );
  }
  const from = new Date(x509.validFrom);
  const to = new Date(x509.validTo);
  const dates = `valid ${from.toISOString().slice(0, 10)} to ${to.toISOString().slice(0, 10)}`;
  const renew = 'renew the certificate (or remove key and certificate to have a self-signed pair generated)';
  if (now < from)
    return checkFail(CHECK, `${certFile} is not valid yet (${dates})`, 'check the system clock');
  if (now > to) return checkFail(CHECK, `${certFile} has expired (${dates})`, renew);
  const days = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  const what = `${x509.subject.replaceAll('\n', ', ')}, ${dates}, key matches, SHA-256 ${x509.fingerprint256}`;
  if (days < 30) return checkWarn(CHECK, `${what}; expires in ${days} days`, renew);
  return checkOk(CHECK, what);
}
