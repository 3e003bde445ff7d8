import type { HostMessage, WorkstationState } from '@deskrec/core';
import { PROTOCOL_VERSION } from '@deskrec/core';
import WebSocket from 'ws';

export type ListenerKind = 'tcp' | 'tls';

/** What one socket knows about its agent. Kept small: a host holds thousands of these. */
export class AgentConnection {
  /** `undefined` until hello is accepted. */
  state: WorkstationState | undefined;
  tenantId = '';
  workstationId = '';
  /** Cleared by each heartbeat sweep, set by any pong or message. */
  alive = true;
  invalidMessages = 0;
  lastSeenWrite = 0;
  /** Messages received but not handled yet; they are handled one at a time, in order. */
  backlog = 0;
  queue: Promise<void> = Promise.resolve();
  helloTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly remoteAddress: string | undefined,
    /** Which heartbeat slice visits this connection. */
    readonly slice: number,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get admitted(): boolean {
    return this.state !== undefined;
  }
}

type Distribute<T> = T extends unknown ? Omit<T, 'v'> : never;
/** A host message without the version field, which `frame` adds. */
export type HostMessageBody = Distribute<HostMessage>;

export function frame(body: HostMessageBody): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...body });
}

export function errorFrame(
  code: Extract<HostMessage, { type: 'error' }>['code'],
  message: string,
  fatal: boolean,
): string {
  return frame({ type: 'error', code, message, fatal });
}
