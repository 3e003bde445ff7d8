import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';
import type { AgentConfig } from '../config/agent-config.js';

const DAY_MS = 86_400_000;
const FIX =
  'set controller.tlsCert / controller.tlsKey (DESKREC_TLS_CERT / DESKREC_TLS_KEY) to a certificate the host CA signed';

/** The client certificate, when configured: readable, a certificate, in its validity period, and the key's. */
export async function checkClientCertificate(config: AgentConfig, now = new Date()): Promise<CheckLine> {
  const check = 'client certificate';
  const { tlsCert, tlsKey } = config.controller;
  if (!tlsCert || !tlsKey)
    return checkOk(check, 'none configured (needed only when the host sets controller.tlsCaFile)');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await fs.readFile(tlsCert));
  } catch (error) {
    return checkFail(check, `${tlsCert} is not a readable PEM certificate: ${(error as Error).message}`, FIX);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(await fs.readFile(tlsKey));
  } catch (error) {
    return checkFail(check, `${tlsKey} is not a readable PEM private key: ${(error as Error).message}`, FIX);
  }
  if (!cert.checkPrivateKey(key))
    return checkFail(check, `${tlsKey} is not the key of the certificate in ${tlsCert}`, FIX);
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const who = `${cert.subject.replaceAll('\n', ', ')} issued by ${cert.issuer.replaceAll('\n', ', ')}`;
  if (now < from) return checkFail(check, `${who} is not valid before ${from.toISOString()}`, FIX);
  if (now > to) return checkFail(check, `${who} expired on ${to.toISOString()}`, FIX);
  const days = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  if (days < 30) return checkWarn(check, `${who} expires in ${days} day(s), on ${to.toISOString()}`, FIX);
  return checkOk(check, `${who}, valid until ${to.toISOString().slice(0, 10)}, matches its key`);
}
