import type { AgentMessage, AuthPolicy, Clock, Logger } from '@deskrec/core';
import { decodeAgentMessage } from '@deskrec/core';
import type { AgentEvent, WorkstationDirectory } from '../workstations/ports.js';
import { type AgentConnection, errorFrame, frame, type HostMessageBody } from './agent-connection.js';
import { CLOSE } from './close-codes.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { type EnrollmentGate, EnrollmentRefused } from './enrollment-gate.js';
import type { ControllerMetrics } from './metrics.js';
import type { ControllerTuning } from './options.js';

type Hello = Extract<AgentMessage, { type: 'hello' }>;
type CaptureMessage = Extract<AgentEvent, { type: 'capture' }>['message'];

export interface MessageHandlerDeps {
  directory: WorkstationDirectory;
  authPolicy: AuthPolicy;
  registry: ConnectionRegistry;
  metrics: ControllerMetrics;
  tuning: ControllerTuning;
  enrollment: EnrollmentGate;
  logger: Logger;
  clock: Clock;
  emit(event: AgentEvent): void;
  /** Sends without waiting; drops the connection when the agent is not reading. */
  send(connection: AgentConnection, text: string, type: string): boolean;
}

const isCapture = (message: AgentMessage): message is CaptureMessage => message.type.startsWith('capture.');

/** Turns frames from one agent into admission, presence updates and AgentEvents. */
export class AgentMessageHandler {
  constructor(private readonly deps: MessageHandlerDeps) {}

  /** Sends a fatal error frame, then closes; the close frame follows the error frame on the wire. */
  fatal(
    connection: AgentConnection,
    code: Parameters<typeof errorFrame>[0],
    message: string,
    close: number,
  ): void {
    this.deps.metrics.errors.inc({ code });
    this.deps.send(connection, errorFrame(code, message, true), 'error');
    connection.ws.close(close, code);
  }

  async handle(connection: AgentConnection, data: Buffer): Promise<void> {
    const { logger, metrics } = this.deps;
    const decoded = decodeAgentMessage(data);
    if (!decoded.ok) {
      logger.warn(
        {
          tenantId: connection.tenantId || undefined,
          workstationId: connection.workstationId || undefined,
          remoteAddress: connection.remoteAddress,
          code: decoded.code,
          // JSON.parse messages quote the input around the error, which may be part of a token or secret.
          problem: decoded.code === 'malformed' ? `unparsable, ${data.length} bytes` : decoded.message,
        },
        'invalid message from agent',
      );
      if (decoded.code === 'protocol-version') {
        this.fatal(connection, 'protocol-version', decoded.message, CLOSE.protocolVersion);
      } else if (!connection.admitted) {
        this.fatal(
          connection,
          decoded.code,
          `${decoded.message}; the first message must be hello`,
          CLOSE.badRequest,
        );
      } else if (++connection.invalidMessages > this.deps.tuning.maxInvalidMessages) {
        this.fatal(
          connection,
          decoded.code,
          `${decoded.message}; too many invalid messages`,
          CLOSE.badRequest,
        );
      } else {
        metrics.errors.inc({ code: decoded.code });
        this.deps.send(connection, errorFrame(decoded.code, decoded.message, false), 'error');
      }
      return;
    }
    const message = decoded.message;
    metrics.messages.inc({ direction: 'in', type: message.type });
    if (!connection.admitted) {
      if (message.type === 'hello') return this.admit(connection, message);
      this.fatal(
        connection,
        'invalid',
        `the first message must be hello, not ${message.type}`,
        CLOSE.badRequest,
      );
      return;
    }
    return this.dispatch(connection, message);
  }

  private async dispatch(connection: AgentConnection, message: AgentMessage): Promise<void> {
    const { tenantId, workstationId } = connection;
    const { directory, clock } = this.deps;
    if (message.type === 'hello') {
      this.reject(connection, 'invalid', 'hello was already accepted on this connection');
    } else if (message.type === 'session') {
      await directory.recordLogin(tenantId, workstationId, message.login, clock.now());
      this.deps.emit({ type: 'session', tenantId, workstationId, login: message.login });
    } else if (message.type === 'heartbeat') {
      const now = clock.now();
      if (now.getTime() - connection.lastSeenWrite >= this.deps.tuning.seenIntervalMs) {
        connection.lastSeenWrite = now.getTime();
        await directory.recordSeen(tenantId, workstationId, now);
      }
    } else if (message.type === 'spool.report') {
      const { v: _v, ...report } = message;
      this.deps.logger[report.kind === 'spool-ok' ? 'info' : 'warn'](
        { tenantId, workstationId, ...report },
        `agent spool: ${report.reason}`,
      );
      await directory.recordSpoolReport?.(tenantId, workstationId, report);
    } else if (isCapture(message)) {
      if (connection.state !== 'authorized') {
        this.reject(
          connection,
          'unauthorized',
          `${message.type} is accepted only from authorized workstations`,
        );
        return;
      }
      this.deps.emit({ type: 'capture', tenantId, workstationId, message });
    }
  }

  /** A non-fatal refusal of one message. */
  private reject(connection: AgentConnection, code: 'invalid' | 'unauthorized', text: string): void {
    this.deps.metrics.errors.inc({ code });
    this.deps.send(connection, errorFrame(code, text, false), 'error');
  }

  private async admit(connection: AgentConnection, hello: Hello): Promise<void> {
    const { directory, authPolicy, logger, clock, registry } = this.deps;
    clearTimeout(connection.helloTimer);
    connection.helloTimer = undefined;
    const where = { workstationId: hello.workstationId, remoteAddress: connection.remoteAddress };
    let decision: Awaited<ReturnType<AuthPolicy['decide']>>;
    try {
      decision = await authPolicy.decide(
        {
          tenantToken: hello.tenantToken,
          workstationId: hello.workstationId,
          workstationSecret: hello.workstationSecret,
          computerName: hello.computerName,
          ...(hello.domain === undefined ? {} : { domain: hello.domain }),
          ...(connection.remoteAddress === undefined ? {} : { remoteAddress: connection.remoteAddress }),
        },
        this.deps.enrollment.guard(directory),
      );
    } catch (error) {
      if (error instanceof EnrollmentRefused) {
        logger.warn({ ...where, reason: error.message }, 'enrollment refused');
        this.fatal(connection, 'rejected', error.message, CLOSE.tooMany);
        return;
      }
      logger.error({ ...where, err: error }, 'auth policy failed');
      this.fatal(
        connection,
        'internal',
        'the host could not check the credentials; retry later',
        CLOSE.internalError,
      );
      return;
    }
    if (decision.outcome === 'rejected') {
      logger.warn({ ...where, reason: decision.reason }, 'agent rejected');
      this.fatal(connection, 'rejected', decision.message, CLOSE.rejected);
      return;
    }
    const { tenantId, workstationId, outcome: state } = decision;
    const refusal = await directory.tenantRefusal?.(tenantId).catch(() => undefined);
    if (refusal) {
      logger.warn({ ...where, tenantId, reason: refusal }, 'agent refused: tenant not active');
      this.deps.metrics.errors.inc({ code: 'rejected' });
      this.deps.send(connection, errorFrame('rejected', refusal, true), 'error');
      connection.ws.close(CLOSE.tenantSuspended, 'tenant suspended');
      return;
    }
    const at = clock.now();
    let captureSettings: Awaited<ReturnType<typeof directory.captureSettings>>;
    try {
      await directory.recordConnected({
        tenantId,
        workstationId,
        computerName: hello.computerName,
        ...(hello.domain === undefined ? {} : { domain: hello.domain }),
        os: hello.os,
        agentVersion: hello.agentVersion,
        ...(hello.captureBackend === undefined ? {} : { captureBackend: hello.captureBackend }),
        monitors: hello.monitors,
        login: hello.login,
        ...(connection.remoteAddress === undefined ? {} : { remoteAddress: connection.remoteAddress }),
        at,
      });
      captureSettings = await directory.captureSettings(tenantId);
    } catch (error) {
      logger.error({ ...where, tenantId, err: error }, 'recording the connection failed');
      this.fatal(
        connection,
        'internal',
        'the host could not register the connection; retry later',
        CLOSE.internalError,
      );
      return;
    }
    const { settings, uploadUrl } = captureSettings;
    if (!connection.open) {
      await directory.recordDisconnected(tenantId, workstationId, clock.now());
      return;
    }
    const welcome: HostMessageBody = {
      type: 'welcome',
      workstationId,
      state,
      settings,
      uploadUrl,
      serverTime: at.toISOString(),
    };
    this.deps.send(connection, frame(welcome), 'welcome');
    logger.info({ ...where, tenantId, state, agentVersion: hello.agentVersion }, 'agent connected');
    if (state === 'forbidden') {
      // Not registered: a forbidden agent holds no slot, it only learns its state and is closed.
      Object.assign(connection, { tenantId, workstationId, state });
      connection.ws.close(CLOSE.forbidden, 'forbidden');
      await directory.recordDisconnected(tenantId, workstationId, clock.now());
      return;
    }
    connection.tenantId = tenantId;
    connection.workstationId = workstationId;
    connection.state = state;
    connection.lastSeenWrite = at.getTime();
    const previous = registry.set(connection);
    if (previous) {
      logger.info({ ...where, tenantId }, 'a newer connection replaces the previous one');
      previous.ws.close(CLOSE.replaced, 'replaced by a newer connection');
    }
    this.deps.emit({
      type: 'connected',
      tenantId,
      workstationId,
      state,
      login: hello.login,
      ...(hello.pendingSegments?.length ? { pendingSegments: hello.pendingSegments } : {}),
    });
  }
}
