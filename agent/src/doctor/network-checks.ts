import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';
import { parseAddress } from '../config/address.js';
import type { AgentConfig } from '../config/agent-config.js';

/**
 * fetch with a deadline on a timer that keeps the process alive (AbortSignal.timeout's does not, so a silent
 * peer would end a CLI run early), cleared as soon as the answer is in.
 */
async function fetchWithin(
  ms: number,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms / 1000} s`)), ms);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    return { status: response.status, text: await response.text() };
  } finally {
    clearTimeout(timer);
  }
}

const TIMEOUT_MS = 3000;

function tcpConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

interface TlsPeer {
  fingerprint: string;
  /** Whether the configured CA vouches for the certificate (only with a CA file). */
  authorized: boolean;
  authorizationError?: string;
}

export interface ClientTls {
  ca?: string;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Completes a TLS handshake and one HTTP exchange: under TLS 1.3 a host that rejects the client certificate
 * says so only after the client's handshake is done, so stopping at secureConnect would pass a refused agent.
 */
function tlsConnect(host: string, port: number, material: ClientTls): Promise<TlsPeer> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      // The doctor reports trust itself, so it completes the handshake whatever the certificate.
      rejectUnauthorized: false,
      ...material,
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    socket.setTimeout(TIMEOUT_MS, () =>
      socket.destroy(new Error(`no TLS handshake within ${TIMEOUT_MS / 1000} s`)),
    );
    let peer: TlsPeer | undefined;
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      peer = {
        fingerprint: (cert.fingerprint256 ?? '').toUpperCase(),
        authorized: socket.authorized,
        ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
      };
      socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.once('data', () => {
      socket.destroy();
      resolve(peer!);
    });
    socket.once('error', reject);
    // A host that drops the connection without answering, right after the handshake, refused the client.
    socket.once('close', () =>
      reject(
        new Error(
          peer
            ? 'the host closed the connection after the handshake without answering (bad certificate: handshake failure)'
            : 'closed during the TLS handshake',
        ),
      ),
    );
  });
}

async function pinnedFingerprint(config: AgentConfig): Promise<{ value?: string; from: string }> {
  if (config.controller.fingerprint) {
    return { value: config.controller.fingerprint.toUpperCase(), from: 'controller.fingerprint' };
  }
  const file = path.join(config.dataDir, 'controller-cert.pin');
  const value = (await fs.readFile(file, 'utf8').catch(() => '')).trim().toUpperCase();
  return value ? { value, from: file } : { from: file };
}

async function checkOne(config: AgentConfig, role: string, address: string): Promise<CheckLine> {
  const check = `controller ${role}`;
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseAddress(address, config.controller.tls));
  } catch (error) {
    return checkFail(check, `${address}: ${(error as Error).message}`, `set controller.${role} to host:port`);
  }
  const where = `${host}:${port}`;
  const fix = `check that the host runs and that ${where} is open from this machine (firewall, address)`;
  if (!config.controller.tls) {
    try {
      await tcpConnect(host, port);
      return checkOk(check, `${where} accepts TCP connections (plain, no TLS)`);
    } catch (error) {
      return checkFail(check, `${where} cannot be reached: ${(error as Error).message}`, fix);
    }
  }
  let peer: TlsPeer;
  try {
    const { caFile, tlsCert, tlsKey } = config.controller;
    peer = await tlsConnect(host, port, {
      ...(caFile ? { ca: await fs.readFile(caFile, 'utf8') } : {}),
      ...(tlsCert && tlsKey ? { cert: await fs.readFile(tlsCert), key: await fs.readFile(tlsKey) } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/certificate required|alert number 116|bad certificate|unknown ca|handshake failure/i.test(message)) {
      return checkFail(
        check,
        `${where} refused this agent's client certificate: ${message.trim()}`,
        config.controller.tlsCert
          ? 'the host does not trust controller.tlsCert: have it signed by the CA in the host setting controller.tlsCaFile'
          : 'the host requires client certificates (controller.tlsCaFile): set controller.tlsCert and controller.tlsKey',
      );
    }
    return checkFail(check, `${where}: TLS connection failed: ${message}`, fix);
  }
  if (config.controller.caFile) {
    return peer.authorized
      ? checkOk(
          check,
          `${where} TLS certificate ${peer.fingerprint} is signed by ${config.controller.caFile}`,
        )
      : checkFail(
          check,
          `${where} TLS certificate ${peer.fingerprint} is not trusted by ${config.controller.caFile}: ${peer.authorizationError}`,
          'point controller.caFile at the CA that signed the host certificate',
        );
  }
  const pin = await pinnedFingerprint(config);
  if (!pin.value) {
    return checkWarn(
      check,
      `${where} TLS certificate ${peer.fingerprint}; nothing pinned yet, the first connection pins it`,
      'compare it with the fingerprint the host prints, or set controller.fingerprint',
    );
  }
  return peer.fingerprint === pin.value
    ? checkOk(check, `${where} TLS certificate ${peer.fingerprint} matches the pin (${pin.from})`)
    : checkFail(
        check,
        `${where} TLS certificate ${peer.fingerprint} does not match the pin ${pin.value} (${pin.from})`,
        `if the host certificate was replaced on purpose, update controller.fingerprint or delete ${pin.from}`,
      );
}

/** TCP (or TLS) reachability of the primary and, when set, the secondary controller. */
export async function checkControllers(config: AgentConfig): Promise<CheckLine[]> {
  const lines = [await checkOne(config, 'primary', config.controller.primary)];
  if (config.controller.secondary)
    lines.push(await checkOne(config, 'secondary', config.controller.secondary));
  return lines;
}

/** The upload URL the host announced, read from status.json (written by a running agent). */
export async function checkUploadUrl(dataDir: string): Promise<CheckLine> {
  const check = 'upload url';
  const file = path.join(dataDir, 'status.json');
  let status: { uploadUrl?: unknown; controller?: unknown };
  try {
    status = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return checkOk(check, `not known yet: ${file} appears once the agent has run and connected`);
  }
  if (typeof status.uploadUrl !== 'string' || !status.uploadUrl) {
    return checkOk(check, `not known yet: the agent has not been told an upload URL (${file})`);
  }
  const controllerHost =
    typeof status.controller === 'string' ? status.controller.replace(/:\d+$/, '') : '127.0.0.1';
  const url = status.uploadUrl.replace('{controller-host}', controllerHost);
  try {
    const response = await fetchWithin(TIMEOUT_MS, url, { method: 'HEAD' });
    return checkOk(check, `${url} answers (HTTP ${response.status})`);
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    return checkFail(
      check,
      `${url} cannot be reached: ${cause}`,
      'check the storage host URL in the portal settings and the firewall between this machine and the host',
    );
  }
}
