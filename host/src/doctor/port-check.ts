import net from 'node:net';
import { type CheckLine, checkFail, checkOk } from '@deskrec/core';

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

/** What a running host says about itself at /api/health (only the parts the doctor reads). */
export interface RunningHost {
  database: { ok: boolean; kind: string; error?: string };
  controller: { listening?: { tcp?: { port: number } | null; tls?: { port: number } | null } };
}

function tryBind(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Asks the web port whether a deskrec host answers there, with the observability token when there is one
 * (the detailed health is only for it or for an address in observability.allow).
 */
export async function probeRunningHost(
  host: string,
  port: number,
  token?: string,
): Promise<RunningHost | undefined> {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  try {
    const response = await fetchWithin(
      3000,
      `http://${target.includes(':') ? `[${target}]` : target}:${port}/api/health`,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    const body = JSON.parse(response.text) as Partial<RunningHost>;
    return body && typeof body.database === 'object' && typeof body.controller === 'object'
      ? (body as RunningHost)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface PortSpec {
  name: string;
  host: string;
  port: number;
  /** The config key or environment variable that moves it, for the fix line. */
  setting: string;
  /** What port 0 means for this listener: any free port (web) or switched off (controller). */
  zero: 'any' | 'disabled';
}

/** Free to bind, served by the running deskrec host (fine), or taken by another program (a failure). */
export async function checkPort(
  spec: PortSpec,
  running: RunningHost | undefined,
  servedByHost: boolean,
): Promise<CheckLine> {
  const check = `port ${spec.name}`;
  if (spec.port === 0) {
    return checkOk(check, spec.zero === 'any' ? 'the OS picks a free port (0)' : 'switched off (0)');
  }
  const error = await tryBind(spec.host, spec.port);
  if (!error) return checkOk(check, `${spec.host}:${spec.port} is free`);
  if (error.code === 'EADDRINUSE') {
    if (running && servedByHost)
      return checkOk(check, `${spec.host}:${spec.port} is served by a running deskrec host`);
    return checkFail(
      check,
      `${spec.host}:${spec.port} is in use by another program`,
      `stop that program (see \`ss -ltnp 'sport = :${spec.port}'\`) or set ${spec.setting}`,
    );
  }
  if (error.code === 'EACCES') {
    return checkFail(
      check,
      `no permission to listen on ${spec.port}`,
      `choose a port above 1023 with ${spec.setting}`,
    );
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return checkFail(
      check,
      `${spec.host} is not an address of this machine`,
      'use 0.0.0.0 or an address this machine has',
    );
  }
  return checkFail(check, `${spec.host}:${spec.port} cannot be bound: ${error.message}`);
}
