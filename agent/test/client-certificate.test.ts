import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@deskrec/core';
import { generate } from 'selfsigned';
import { test } from 'uvu';
import { Agent } from '../src/agent.js';
import { AgentConfigSchema } from '../src/config/agent-config.js';
import { loadAgentConfig } from '../src/config/load-config.js';
import { Backoff } from '../src/controller/backoff.js';
import { ControllerClient } from '../src/controller/controller-client.js';
import { type CheckLine, formatCheckLines, runAgentDoctor } from '../src/doctor/index.js';
import { checkClientCertificate } from '../src/doctor/tls-checks.js';
import { type RealHost, startRealHost, until } from './support/real-host.js';

let root: string;
let h: RealHost;
const files: Record<string, string> = {};

const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

/** A CA like an admin's, a client certificate it signed, one it did not, and an expired one. */
async function material() {
  const ca = await generate([{ name: 'commonName', value: 'deskrec test CA' }], {
    ...ec,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  } as never);
  const client = (cn: string, extra: Record<string, unknown> = {}) =>
    generate([{ name: 'commonName', value: cn }], {
      ...ec,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
      ...extra,
    } as never);
  const signed = await client('PC-1', { ca: { key: ca.private, cert: ca.cert } });
  const rogue = await client('PC-rogue');
  const past = new Date(Date.now() - 10 * 86_400_000);
  const expired = await client('PC-old', {
    ca: { key: ca.private, cert: ca.cert },
    notBeforeDate: new Date(past.getTime() - 86_400_000),
    notAfterDate: past,
  });
  const write = async (name: string, text: string) => {
    files[name] = path.join(root, name);
    await fs.writeFile(files[name]!, text, { mode: 0o600 });
  };
  await write('ca.pem', ca.cert);
  await write('client.pem', signed.cert);
  await write('client-key.pem', signed.private);
  await write('rogue.pem', rogue.cert);
  await write('rogue-key.pem', rogue.private);
  await write('expired.pem', expired.cert);
  await write('expired-key.pem', expired.private);
}

test.before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-agent-client-cert-'));
  await material();
  h = await startRealHost(`tcpPort: 0, tlsCaFile: ${files['ca.pem']}`);
});
test.after(async () => {
  await h?.stop();
  await fs.rm(root, { recursive: true, force: true });
});

let n = 0;
async function agentConfig(controller: Record<string, unknown>) {
  const dataDir = path.join(root, `agent-${++n}`);
  await fs.mkdir(dataDir, { mode: 0o700 });
  const file = path.join(dataDir, 'agent.json');
  await fs.writeFile(
    file,
    JSON.stringify({
      controller: { primary: `127.0.0.1:${h.port('tls')}`, tls: true, ...controller },
      tenantToken: h.token,
      dataDir,
      computerName: `CERT-PC-${n}`,
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 320, height: 240 }] } },
      upload: { minFreeDiskMb: 0 },
    }),
  );
  return file;
}

const line = (lines: CheckLine[], check: string) => {
  const found = lines.find((l) => l.check === check);
  assert.ok(found, `a "${check}" line in:\n${formatCheckLines(lines)}`);
  return found;
};

test('config: tlsCert and tlsKey come from the environment and go together', () => {
  const env = {
    DESKREC_SERVER1: 'h:1',
    DESKREC_TENANT_TOKEN: 'x'.repeat(20),
    DESKREC_TLS_CERT: '/c.pem',
    DESKREC_TLS_KEY: '/k.pem',
    DESKREC_CA_FILE: '/ca.pem',
  };
  const config = loadAgentConfig(undefined, env);
  assert.equal(config.controller.tlsCert, '/c.pem');
  assert.equal(config.controller.tlsKey, '/k.pem');
  assert.equal(config.controller.caFile, '/ca.pem');
  assert.throws(
    () => loadAgentConfig(undefined, { ...env, DESKREC_TLS_KEY: '' }),
    /controller\.tlsCert.*tlsCert and tlsKey go together/,
  );
});

test('without a client certificate the agent is refused in the handshake and says why; doctor fails', async () => {
  const lines: string[] = [];
  const backoff = new Backoff(50, 500);
  const client = new ControllerClient({
    addresses: [{ host: '127.0.0.1', port: h.port('tls') }],
    tls: true,
    logger: silentLogger,
    hello: () => {
      throw new Error('never gets as far as hello');
    },
    returnToPrimaryMs: 60_000,
    backoff,
    console: (l) => lines.push(l),
  });
  client.start();
  await until('two refused attempts', async () => backoff.attempts >= 2);
  await client.stop();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /requires a client certificate .*set controller\.tlsCert and controller\.tlsKey/);

  const doctor = await runAgentDoctor({ file: await agentConfig({}), env: {}, skipTestCapture: true });
  const controller = line(doctor, 'controller primary');
  assert.equal(controller.status, 'fail', formatCheckLines(doctor));
  assert.match(controller.message, /refused this agent's client certificate/);
  assert.match(controller.fix!, /requires client certificates/);
});

test('a certificate the host CA did not sign is refused; doctor names it', async () => {
  const file = await agentConfig({ tlsCert: files['rogue.pem'], tlsKey: files['rogue-key.pem'] });
  const doctor = await runAgentDoctor({ file, env: {}, skipTestCapture: true });
  assert.equal(line(doctor, 'client certificate').status, 'ok', 'the certificate itself is fine');
  const controller = line(doctor, 'controller primary');
  assert.equal(controller.status, 'fail', formatCheckLines(doctor));
  assert.match(controller.fix!, /does not trust controller\.tlsCert/);
});

test('with the CA-signed certificate the agent connects and appears as pending; doctor passes', async () => {
  const file = await agentConfig({ tlsCert: files['client.pem'], tlsKey: files['client-key.pem'] });
  const doctor = await runAgentDoctor({ file, env: {}, skipTestCapture: true });
  assert.match(
    line(doctor, 'client certificate').message,
    /CN=PC-1 issued by CN=deskrec test CA, valid until/,
  );
  assert.equal(line(doctor, 'controller primary').status, 'warn', 'nothing pinned yet, but connected');

  const config = loadAgentConfig(file, {});
  const agent = new Agent({ config, logger: silentLogger });
  await agent.start();
  try {
    const pending = await until('the agent to show as pending', async () => {
      const list = await h.api('GET', '/api/workstations?state=pending');
      return list.body.items.find((w: { computerName: string }) => w.computerName === config.computerName);
    });
    assert.equal(pending.id, agent.workstationId);
    assert.equal(agent.status().connected, true);
  } finally {
    await agent.stop();
  }
});

test('doctor: an expired certificate and a key of another certificate fail', async () => {
  const base = AgentConfigSchema.parse({ controller: { primary: 'h' }, tenantToken: 'x'.repeat(20) });
  const expired = await checkClientCertificate({
    ...base,
    controller: { ...base.controller, tlsCert: files['expired.pem']!, tlsKey: files['expired-key.pem']! },
  });
  assert.equal(expired.status, 'fail');
  assert.match(expired.message, /CN=PC-old .* expired on /);
  const mismatched = await checkClientCertificate({
    ...base,
    controller: { ...base.controller, tlsCert: files['client.pem']!, tlsKey: files['rogue-key.pem']! },
  });
  assert.equal(mismatched.status, 'fail');
  assert.match(mismatched.message, /is not the key of the certificate/);
});

test.run();
