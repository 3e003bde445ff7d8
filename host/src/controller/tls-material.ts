import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ControllerSettings, Logger } from '@deskrec/core';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** CA bundle that client certificates must chain to; absent when clients need none. */
  ca?: string;
  keyFile: string;
  certFile: string;
  /** SHA-256 fingerprint of the certificate, for admins who pin it in agents. */
  fingerprint256: string;
}

const CERT_YEARS = 5;

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** A self-signed certificate for this host, for `key` when given (a kept key keeps pinned agents working). */
async function selfSigned(key: string | undefined): Promise<{ key: string; cert: string }> {
  const hostname = os.hostname();
  // Wall-clock time, not the host clock: agents check the validity against their own clocks.
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + CERT_YEARS);
  const privateKey = key === undefined ? undefined : createPrivateKey(key);
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    // P-256: handshakes are several times cheaper than RSA-2048, which matters with thousands of agents.
    keyType: privateKey?.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ...(privateKey && key
      ? {
          keyPair: {
            privateKey: key,
            publicKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
          },
        }
      : {}),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: hostname },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: key ?? pems.private, cert: pems.cert };
}

async function writeNew(file: string, content: string, mode: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  // 'wx': never overwrite a file another process wrote meanwhile.
  await fs.writeFile(file, content, { mode, flag: 'wx' });
  await fs.chmod(file, mode);
}

/**
 * Loads the controller's TLS key and certificate, generating (and saving) whichever is missing: the key with
 * 0600 permissions. A certificate without its key is an error, not a reason to overwrite the certificate.
 */
export async function loadTlsMaterial(
  settings: ControllerSettings,
  dataDir: string,
  logger: Logger,
): Promise<TlsMaterial> {
  const keyFile = settings.tlsKeyFile ?? path.join(dataDir, 'tls', 'controller-key.pem');
  const certFile = settings.tlsCertFile ?? path.join(dataDir, 'tls', 'controller-cert.pem');
  let key = await readIfExists(keyFile);
  let cert = await readIfExists(certFile);
  if (key === undefined && cert !== undefined) {
    throw new Error(
      `tlsKeyFile ${keyFile} is missing but tlsCertFile ${certFile} exists; restore the key, or remove the certificate to have both generated`,
    );
  }
  if (key === undefined || cert === undefined) {
    const generated = await selfSigned(key);
    if (key === undefined) await writeNew(keyFile, generated.key, 0o600);
    await writeNew(certFile, generated.cert, 0o644);
    logger.info(
      { keyFile, certFile, keyGenerated: key === undefined },
      'generated a self-signed controller TLS certificate',
    );
    key = generated.key;
    cert = generated.cert;
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`tlsCertFile ${certFile} is not a PEM certificate: ${(error as Error).message}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`tlsKeyFile ${keyFile} is not a usable PEM private key: ${(error as Error).message}`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new Error(`tlsKeyFile ${keyFile} does not belong to the certificate in tlsCertFile ${certFile}`);
  }
  let ca: string | undefined;
  if (settings.tlsCaFile) {
    ca = await readIfExists(settings.tlsCaFile);
    if (ca === undefined) throw new Error(`tlsCaFile ${settings.tlsCaFile} does not exist`);
  }
  return {
    key,
    cert,
    ...(ca === undefined ? {} : { ca }),
    keyFile,
    certFile,
    fingerprint256: x509.fingerprint256,
  };
}
