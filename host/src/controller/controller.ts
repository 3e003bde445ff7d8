import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  formatIssues,
  type HostMessage,
  MAX_MESSAGE_BYTES,
  silentLogger,
  systemClock,
  type WorkstationState,
} from '@deskrec/core';
import { Registry } from 'prom-client';
import WebSocket, { WebSocketServer } from 'ws';
import type { AgentChannel, AgentEvent, AgentEventListener } from '../workstations/ports.js';
import { AgentConnection, errorFrame, frame, type ListenerKind } from './agent-connection.js';
import { AgentMessageHandler } from './agent-messages.js';
import { CLOSE } from './close-codes.js';
import { ConnectionLimits, type LimitRefusal } from './connection-limits.js';
import { ConnectionRegistry } from './connection-registry.js';
import { EnrollmentGate } from './enrollment-gate.js';
import { Listener } from './listener.js';
import { type AgentCountState, ControllerMetrics } from './metrics.js';
import { type ControllerOptions, ControllerTuningSchema } from './options.js';
import { loadTlsMaterial } from './tls-material.js';

/** Backlog at which a connection stops being read until its handler catches up. */
const PAUSE_AT = 32;
const RESUME_AT = 4;
const HEARTBEAT_SLICES = 10;

export interface ControllerStatus {
  running: boolean;
  listening: Record<ListenerKind, { address: string; port: number } | null>;
  /** Fingerprint of the TLS certificate in use, when the TLS port is enabled. */
  tlsFingerprint256: string | null;
  agents: Record<AgentCountState, number>;
}

export interface Controller extends AgentChannel {
  start(): Promise<void>;
  /** Closes every connection and listener; resolves once nothing (sockets, timers, writes) is left. */
  stop(): Promise<void>;
  status(): ControllerStatus;
  /** Subscribes to what agents report; returns the unsubscribe function. */
  onAgentEvent(listener: AgentEventListener): () => void;
  readonly metricsRegistry: Registry;
}

/** The controller channel: WebSocket listeners (TCP and TLS), agent admission and the AgentChannel. */
export function createController(options: ControllerOptions): Controller {
  const parsed = ControllerTuningSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid controller options: ${formatIssues(parsed.error)}`);
  const tuning = parsed.data;
  const logger = (options.logger ?? silentLogger).child({ component: 'controller' });
  const clock = options.clock ?? systemClock;
  const { directory, settings } = options;
  const metricsRegistry = options.metricsRegistry ?? new Registry();
  const registry = new ConnectionRegistry();
  /**
   * Every open connection, in heartbeat slices: the sweep visits one slice per tick, so each connection is still
   * pinged once per interval, but 10,000 agents never get (and answer) their pings in the same instant.
   */
  const slices = Array.from({ length: HEARTBEAT_SLICES }, () => new Set<AgentConnection>());
  let nextSlice = 0;
  let tick = 0;
  function* allConnections(): Generator<AgentConnection> {
    for (const slice of slices) yield* slice;
  }
  const eventListeners = new Set<AgentEventListener>();
  /** Directory writes and message handling still running; stop() waits for them. */
  const inflight = new Set<Promise<unknown>>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  let listeners: Listener[] = [];
  let heartbeat: NodeJS.Timeout | undefined;
  let tlsFingerprint256: string | null = null;
  let running = false;
  let stopping = false;

  const countAgents = (): Record<AgentCountState, number> => {
    const counts = { 'awaiting-hello': 0, pending: 0, authorized: 0, forbidden: 0 };
    for (const connection of allConnections()) counts[connection.state ?? 'awaiting-hello']++;
    return counts;
  };
  const metrics = new ControllerMetrics(countAgents);

  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight.add(work);
    const done = () => inflight.delete(work);
    work.then(done, done);
    return work;
  };

  const emit = (event: AgentEvent): void => {
    for (const listener of eventListeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, event: event.type }, 'agent event listener failed');
      }
    }
  };

  /** Never waits for the peer: a slow agent only grows its own buffer, and past the limit it is dropped. */
  const send = (connection: AgentConnection, text: string, type: string): boolean => {
    if (!connection.open) return false;
    if (connection.ws.bufferedAmount > tuning.maxBufferedBytes) {
      logger.warn(
        { workstationId: connection.workstationId, buffered: connection.ws.bufferedAmount },
        'agent is not reading its messages; dropping the connection',
      );
      metrics.errors.inc({ code: 'slow-agent' });
      connection.ws.terminate();
      return false;
    }
    connection.ws.send(text);
    metrics.messages.inc({ direction: 'out', type });
    return true;
  };

  const handler = new AgentMessageHandler({
    directory,
    authPolicy: options.authPolicy,
    registry,
    metrics,
    tuning,
    enrollment: new EnrollmentGate(tuning),
    logger,
    clock,
    emit,
    send,
  });

  const onMessage = (connection: AgentConnection, data: Buffer): void => {
    connection.alive = true;
    connection.backlog++;
    if (connection.backlog >= PAUSE_AT) connection.ws.pause();
    connection.queue = track(
      connection.queue
        .then(() => handler.handle(connection, data))
        .catch((error: unknown) => {
          logger.error(
            { err: error, workstationId: connection.workstationId },
            'handling an agent message failed',
          );
          if (connection.open)
            send(connection, errorFrame('internal', 'the host failed to handle the message', false), 'error');
        })
        .finally(() => {
          connection.backlog--;
          if (connection.backlog <= RESUME_AT && connection.ws.isPaused) connection.ws.resume();
        }),
    );
  };

  const onClose = (connection: AgentConnection): void => {
    clearTimeout(connection.helloTimer);
    slices[connection.slice]?.delete(connection);
    if (!connection.admitted || !registry.remove(connection)) return;
    const { tenantId, workstationId } = connection;
    logger.info({ tenantId, workstationId }, 'agent disconnected');
    track(
      connection.queue
        .then(() => directory.recordDisconnected(tenantId, workstationId, clock.now()))
        .catch((error: unknown) =>
          logger.error({ err: error, workstationId }, 'recording a disconnect failed'),
        ),
    );
    emit({ type: 'disconnected', tenantId, workstationId });
  };

  const accept = (ws: WebSocket, kind: ListenerKind, remoteAddress: string | undefined): void => {
    const connection = new AgentConnection(ws, remoteAddress, nextSlice);
    slices[nextSlice]?.add(connection);
    nextSlice = (nextSlice + 1) % HEARTBEAT_SLICES;
    metrics.connections.inc({ listener: kind });
    connection.helloTimer = setTimeout(() => {
      logger.warn({ remoteAddress }, 'no hello within the timeout');
      handler.fatal(connection, 'invalid', `no hello within ${tuning.helloTimeoutMs} ms`, CLOSE.helloTimeout);
    }, tuning.helloTimeoutMs);
    ws.on('message', (data: Buffer) => onMessage(connection, data));
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', (error: Error & { code?: string }) => {
      // ws reports oversize frames and protocol violations (WS_ERR_*) here, then closes the socket itself;
      // resets and other network errors are routine with thousands of agents.
      const protocolViolation = error.code?.startsWith('WS_ERR_') ?? false;
      logger[protocolViolation ? 'warn' : 'debug'](
        { remoteAddress, workstationId: connection.workstationId, code: error.code, problem: error.message },
        'agent socket error',
      );
      metrics.errors.inc({
        code:
          error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
            ? 'too-large'
            : protocolViolation
              ? 'frame'
              : 'socket',
      });
    });
    ws.on('close', () => onClose(connection));
  };

  const connectionLimits = new ConnectionLimits(tuning);
  // One System Log line per address and limit every 10 s, with the count cut meanwhile: a flood must not
  // become a log flood.
  const refusals = new Map<string, { loggedAt: number; cut: number }>();
  const onRefused = (refusal: LimitRefusal, remoteAddress: string | undefined): void => {
    metrics.errors.inc({ code: `limit-${refusal.limit}` });
    const key = `${refusal.limit}:${remoteAddress}`;
    const now = clock.now().getTime();
    const seen = refusals.get(key) ?? { loggedAt: 0, cut: 0 };
    seen.cut++;
    if (now - seen.loggedAt >= 10_000) {
      logger.warn(
        { remoteAddress, limit: refusal.limit, cut: seen.cut },
        `connection refused: ${refusal.message}`,
      );
      seen.loggedAt = now;
      seen.cut = 0;
    }
    refusals.set(key, seen);
    if (refusals.size > 10_000) refusals.clear();
  };

  const onUpgrade = (kind: ListenerKind) => (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (stopping) {
      socket.destroy();
      return;
    }
    const remoteAddress = request.socket.remoteAddress;
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, kind, remoteAddress));
  };

  /** Drops connections of the next slice that missed a whole interval (half-open), pings the rest. */
  const sweep = (): void => {
    const slice = slices[tick] ?? [];
    tick = (tick + 1) % HEARTBEAT_SLICES;
    for (const connection of slice) {
      if (!connection.alive || connection.ws.bufferedAmount > tuning.maxBufferedBytes) {
        logger.warn(
          { workstationId: connection.workstationId },
          'agent stopped answering; dropping the connection',
        );
        metrics.errors.inc({ code: connection.alive ? 'slow-agent' : 'heartbeat-timeout' });
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      if (connection.open) connection.ws.ping();
    }
  };

  const stateFrame = (state: WorkstationState | 'deleted') => frame({ type: 'authorization', state });

  const controller: Controller = {
    metricsRegistry,

    async start() {
      if (running) throw new Error('the controller is already running');
      stopping = false;
      metrics.register(metricsRegistry);
      const opened: Listener[] = [];
      try {
        if (settings.tcpPort !== 0) {
          const listener = new Listener(
            'tcp',
            undefined,
            tuning.helloTimeoutMs,
            onUpgrade('tcp'),
            () => {},
            connectionLimits,
            onRefused,
          );
          await listener.listen(tuning.ephemeralPorts ? 0 : settings.tcpPort, tuning.host);
          opened.push(listener);
        }
        if (settings.tlsPort !== 0) {
          const tls = await loadTlsMaterial(settings, options.dataDir, logger);
          tlsFingerprint256 = tls.fingerprint256;
          const listener = new Listener(
            'tls',
            tls,
            tuning.helloTimeoutMs,
            onUpgrade('tls'),
            (error, remoteAddress) => {
              logger.debug({ remoteAddress, problem: error.message }, 'TLS handshake failed');
              metrics.errors.inc({ code: 'tls' });
            },
            connectionLimits,
            onRefused,
          );
          await listener.listen(tuning.ephemeralPorts ? 0 : settings.tlsPort, tuning.host);
          opened.push(listener);
        }
      } catch (error) {
        await Promise.all(opened.map((listener) => listener.close()));
        metrics.unregister();
        throw error;
      }
      listeners = opened;
      heartbeat = setInterval(sweep, Math.max(1, Math.floor(tuning.heartbeatIntervalMs / HEARTBEAT_SLICES)));
      running = true;
      logger.info(
        { listening: Object.fromEntries(listeners.map((l) => [l.kind, l.address()])), tlsFingerprint256 },
        'controller listening',
      );
    },

    async stop() {
      if (!running) return;
      stopping = true;
      clearInterval(heartbeat);
      heartbeat = undefined;
      const closing = [...allConnections()].map(
        (connection) =>
          new Promise<void>((resolve) => {
            if (connection.ws.readyState === WebSocket.CLOSED) return resolve();
            connection.ws.once('close', () => resolve());
            connection.ws.close(CLOSE.goingAway, 'host shutting down');
          }),
      );
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(closing),
        new Promise<void>((resolve) => {
          grace = setTimeout(resolve, tuning.stopGraceMs);
        }),
      ]);
      clearTimeout(grace);
      for (const connection of allConnections()) connection.ws.terminate();
      await Promise.all(listeners.map((listener) => listener.close()));
      await Promise.all(closing);
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      listeners = [];
      metrics.unregister();
      running = false;
      logger.info({}, 'controller stopped');
    },

    status() {
      const address = (kind: ListenerKind) => listeners.find((l) => l.kind === kind)?.address() ?? null;
      return {
        running,
        listening: { tcp: address('tcp'), tls: address('tls') },
        tlsFingerprint256: listeners.some((l) => l.kind === 'tls') ? tlsFingerprint256 : null,
        agents: countAgents(),
      };
    },

    onAgentEvent(listener) {
      eventListeners.add(listener);
      return () => {
        eventListeners.delete(listener);
      };
    },

    isOnline(tenantId, workstationId) {
      return registry.get(tenantId, workstationId)?.open ?? false;
    },

    send(tenantId, workstationId, message: HostMessage) {
      const connection = registry.get(tenantId, workstationId);
      return connection ? send(connection, JSON.stringify(message), message.type) : false;
    },

    pushAuthorization(tenantId, workstationId, state) {
      const connection = registry.get(tenantId, workstationId);
      if (!connection) return;
      send(connection, stateFrame(state), 'authorization');
      logger.info({ tenantId, workstationId, state }, 'authorization pushed to agent');
      emit({ type: 'authorization', tenantId, workstationId, state });
      if (state === 'forbidden' || state === 'deleted') {
        // Closed after the authorization frame; the close handler records the disconnect.
        connection.ws.close(state === 'forbidden' ? CLOSE.forbidden : CLOSE.deleted, state);
        return;
      }
      const wasAuthorized = connection.state === 'authorized';
      connection.state = state;
      if (state === 'authorized' && !wasAuthorized) {
        // Settings may have changed while it was pending; it gets the current ones with its new rights.
        track(
          directory.captureSettings(tenantId).then(
            ({ settings: captureSettings, uploadUrl }) =>
              send(connection, frame({ type: 'settings', settings: captureSettings, uploadUrl }), 'settings'),
            (error: unknown) => logger.error({ err: error, tenantId }, 'loading capture settings failed'),
          ),
        );
      }
    },

    disconnectTenant(tenantId, reason) {
      let closed = 0;
      // Copied first: each close removes the connection from the registry.
      for (const connection of [...registry.ofTenant(tenantId)]) {
        send(connection, errorFrame('rejected', reason, true), 'error');
        connection.ws.close(CLOSE.tenantSuspended, 'tenant suspended');
        closed++;
      }
      if (closed) logger.info({ tenantId, closed }, 'tenant agents disconnected');
      return closed;
    },

    async pushSettings(tenantId) {
      const { settings: captureSettings, uploadUrl } = await directory.captureSettings(tenantId);
      // Serialized once for the whole tenant; each send only queues on that agent's socket.
      const text = frame({ type: 'settings', settings: captureSettings, uploadUrl });
      for (const connection of registry.ofTenant(tenantId)) {
        if (connection.state === 'authorized') send(connection, text, 'settings');
      }
    },
  };
  return controller;
}
