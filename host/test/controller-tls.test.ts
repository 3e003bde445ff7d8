import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { suite } from 'uvu';
import { type Harness, startController } from './support/controller-harness.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

const test = suite('controller: TLS listener');
let h: Harness | undefined;

const dirs: string[] = [];

test.after.each(async () => {
  await h?.stop();
  h = undefined;
  await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-controller-tls-'));
  dirs.push(dir);
  return dir;
}

async function helloOver(
  url: string,
  tls: NonNullable<Parameters<typeof TestAgent.connect>[1]>['tls'],
): Promise<string> {
  const agent = await TestAgent.connect(url, { tls });
  agent.send(hello(newIdentity()));
  const welcome = await agent.next('welcome');
  await agent.close();
  return welcome.state;
}

test('a missing key and certificate are generated (key 0600) and reused on restart', async () => {
  const dataDir = await tempDir();
  h = await startController({ tls: true, dataDir });
  const keyFile = path.join(dataDir, 'tls', 'controller-key.pem');
  const certFile = path.join(dataDir, 'tls', 'controller-cert.pem');
  assert.equal((await fs.stat(keyFile)).mode & 0o777, 0o600);
  const cert = await fs.readFile(certFile, 'utf8');
  const fingerprint = h.controller.status().tlsFingerprint256;
  assert.equal(fingerprint, new X509Certificate(cert).fingerprint256);
  assert.ok(h.tlsUrl);
  // The agent trusts exactly this certificate (pinned), as an admin would configure it.
  assert.equal(await helloOver(h.tlsUrl, { ca: cert }), 'pending');
  await h.stop();

  h = await startController({ tls: true, dataDir, directory: h.directory });
  assert.equal(h.controller.status().tlsFingerprint256, fingerprint);
  assert.equal(await fs.readFile(certFile, 'utf8'), cert);
  assert.ok(h.tlsUrl);
  assert.equal(await helloOver(h.tlsUrl, { ca: cert }), 'pending');
});

test('a configured key without a certificate gets a certificate for that key', async () => {
  const dir = await tempDir();
  const tlsKeyFile = path.join(dir, 'key.pem');
  const tlsCertFile = path.join(dir, 'cert.pem');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await fs.writeFile(tlsKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  h = await startController({ tls: true, settings: { tlsKeyFile, tlsCertFile } });
  const cert = new X509Certificate(await fs.readFile(tlsCertFile));
  assert.ok(cert.checkPrivateKey(privateKey));
});

test('a certificate whose key is missing is an error naming the file', async () => {
  const dir = await tempDir();
  const tlsKeyFile = path.join(dir, 'missing-key.pem');
  const tlsCertFile = path.join(dir, 'cert.pem');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec' });
  await fs.writeFile(tlsCertFile, pems.cert);
  await assert.rejects(
    startController({ tls: true, settings: { tlsKeyFile, tlsCertFile } }),
    /missing-key\.pem/,
  );
  await assert.rejects(fs.stat(tlsKeyFile), 'the key is not invented for an existing certificate');
});

async function makeCa(name: string) {
  return generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
}

async function clientCert(ca: { private: string; cert: string }) {
  return generate([{ name: 'commonName', value: 'agent-pc-0042' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
}

test('with a CA file, agents need a client certificate that chains to it', async () => {
  const dir = await tempDir();
  const ca = await makeCa('deskrec test agents CA');
  const tlsCaFile = path.join(dir, 'agents-ca.pem');
  await fs.writeFile(tlsCaFile, ca.cert);
  h = await startController({ tls: true, settings: { tlsCaFile } });
  assert.ok(h.tlsUrl);
  const serverCert = await fs.readFile(path.join(h.dataDir, 'tls', 'controller-cert.pem'), 'utf8');

  await assert.rejects(TestAgent.connect(h.tlsUrl, { tls: { ca: serverCert } }), 'no client certificate');
  const stranger = await clientCert(await makeCa('some other CA'));
  await assert.rejects(
    TestAgent.connect(h.tlsUrl, { tls: { ca: serverCert, key: stranger.private, cert: stranger.cert } }),
    'a certificate from another CA',
  );
  const issued = await clientCert(ca);
  assert.equal(
    await helloOver(h.tlsUrl, { ca: serverCert, key: issued.private, cert: issued.cert }),
    'pending',
  );
  assert.match(
    await h.controller.metricsRegistry.metrics(),
    /deskrec_controller_errors_total\{code="tls"\} [1-9]/,
  );
  // The plain TCP listener is unaffected by the CA setting (disable it with tcpPort 0 to require TLS).
  assert.equal(await helloOver(h.url, undefined), 'pending');
});

test('TLS port 0 disables the TLS listener; TCP port 0 disables the plain one', async () => {
  h = await startController({ tls: true, settings: { tcpPort: 0 } });
  assert.equal(h.controller.status().listening.tcp, null);
  assert.ok(h.controller.status().listening.tls);
});

test.run();
