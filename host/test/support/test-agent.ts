import { randomBytes } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import { type AgentMessageInput, decodeHostMessage, type HostMessage, PROTOCOL_VERSION } from '@deskrec/core';
import WebSocket from 'ws';

export const TOKEN = 'tenant-one-token-0123456789abcdef';

export interface AgentIdentity {
  tenantToken: string;
  workstationId: string;
  workstationSecret: string;
}

export function newIdentity(tenantToken = TOKEN): AgentIdentity {
  return {
    tenantToken,
    workstationId: randomBytes(16).toString('base64url'),
    workstationSecret: randomBytes(32).toString('base64url'),
  };
}

export function hello(identity: AgentIdentity, login: string | null = 'CONTOSO\\alice'): AgentMessageInput {
  return {
    v: PROTOCOL_VERSION,
    type: 'hello',
    ...identity,
    computerName: 'PC-0042',
    domain: 'CONTOSO',
    os: { platform: 'win32', release: '10.0.19045' },
    agentVersion: '0.1.0',
    monitors: [{ id: '0', width: 1920, height: 1080, x: 0, y: 0, primary: true }],
    login,
  };
}

type Frame = HostMessage | { type: 'undecodable'; raw: string };

/**
 * A simulated agent: a real ws client that records every host frame in order, so tests can wait for the next
 * one of a type. Host frames are checked with core's decoder, as the real agent does.
 */
export class TestAgent {
  readonly frames: Frame[] = [];
  pings = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const decoded = decodeHostMessage(data);
      this.frames.push(decoded.ok ? decoded.message : { type: 'undecodable', raw: data.toString() });
      this.wake();
    });
    ws.on('ping', () => {
      this.pings++;
      this.wake();
    });
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
  }

  static connect(
    url: string,
    options: { autoPong?: boolean; tls?: SecureContextOptions & { rejectUnauthorized?: boolean } } = {},
  ): Promise<TestAgent> {
    const ws = new WebSocket(url, {
      autoPong: options.autoPong ?? true,
      perMessageDeflate: false,
      ...(options.tls ?? {}),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestAgent(ws)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next frame not yet consumed, which must be of `type`. */
  async next<T extends Frame['type']>(type: T): Promise<Extract<Frame, { type: T }>> {
    await this.until(() => this.frames.length > this.cursor, `a ${type} frame`);
    const frame = this.frames[this.cursor++] as Frame;
    if (frame.type !== type) throw new Error(`expected a ${type} frame, got ${JSON.stringify(frame)}`);
    return frame as Extract<Frame, { type: T }>;
  }

  async until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        // Also re-checks now and then: `done` may watch the host's side, which sends no frame.
        const timer = setTimeout(resolve, Math.min(left, 20));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<unknown> {
    this.ws.close();
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
