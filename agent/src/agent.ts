import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type CaptureBackend,
  type CaptureSettings,
  CaptureSettingsSchema,
  type HostMessage,
  type Logger,
  loadPlugins,
  MAX_PENDING_SEGMENTS,
  type SegmentRef,
  systemClock,
  type WorkstationState,
} from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { CaptureRunner } from './capture/capture-runner.js';
import { parseAddress } from './config/address.js';
import type { AgentConfig } from './config/agent-config.js';
import { ControllerClient } from './controller/controller-client.js';
import { CertificatePin } from './controller/tls-pin.js';
import { loadOrCreateIdentity, type WorkstationIdentity } from './identity/workstation-identity.js';
import { type LoginReading, readConsoleLogin } from './session/current-login.js';
import { type LoginReader, LoginWatcher } from './session/login-watcher.js';
import { HostOutbox } from './spool/host-outbox.js';
import { recoverSpool } from './spool/recover-spool.js';
import { Spool, type SpooledSegment } from './spool/spool.js';
import { SpoolHealth, type SpoolState } from './spool/spool-health.js';
import { Uploader } from './upload/uploader.js';

export interface AgentStatus {
  workstationId: string;
  computerName: string;
  connected: boolean;
  controller?: string;
  state: WorkstationState | 'deleted' | 'unknown';
  login: string | null;
  /** Whether someone is signed in at the console; "no-user" explains a null login. */
  presence: LoginReading['presence'];
  capturing?: string;
  pendingUploads: number;
  /** Files a host received and has not yet said are stored: kept in the spool until then. */
  awaitingStorage: number;
  spool: SpoolState;
  upload?: { file: string; bytesSent: number; bytesTotal: number };
  /** The upload base URL the host announced; `{controller-host}` stands for the controller's address. */
  uploadUrl?: string;
  /** Why the agent is not connected, in the words of its console line. */
  lastError?: string;
  updatedAt: string;
}

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** A capture backend to use instead of loading the configured plugin (tests, embedding). */
  captureBackend?: CaptureBackend;
  /** Reads the console login; defaults to the OS (the config's `login` wins over both). */
  readLogin?: LoginReader;
  /** Host silence after which the connection is dropped; default three heartbeat intervals. */
  deadAfterMs?: number;
}

const refOf = (item: SpooledSegment): SegmentRef => ({
  captureId: item.segment.captureId,
  monitorId: item.segment.monitorId,
  index: item.segment.index,
});
const refKey = (ref: SegmentRef) => `${ref.captureId}/${ref.monitorId}/${ref.index}`;

/** The agent daemon: control connection, captures on command, spool and uploads. */
export class Agent {
  private readonly abort = new AbortController();
  private identity!: WorkstationIdentity;
  private client!: ControllerClient;
  private runner!: CaptureRunner;
  private uploader!: Uploader;
  private watcher!: LoginWatcher;
  private outbox!: HostOutbox;
  private health!: SpoolHealth;
  private recovering: Promise<void> = Promise.resolve();
  private spool!: Spool;
  /** Segments a host received and has not yet said are stored, by `refKey`; listed in hello. */
  private readonly awaiting = new Map<string, SegmentRef>();
  /** Marks and deletions of one file happen in order: a `segment.stored` may overtake the upload's end. */
  private segmentWork: Promise<void> = Promise.resolve();
  private statusTimer: NodeJS.Timeout | undefined;
  state: WorkstationState | 'deleted' | 'unknown' = 'unknown';
  settings: CaptureSettings = CaptureSettingsSchema.parse({});
  uploadUrl = '';

  constructor(private readonly options: AgentOptions) {}

  get workstationId(): string {
    return this.identity.workstationId;
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    await fs.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    this.identity = await loadOrCreateIdentity(config.dataDir);
    const spool = new Spool(path.join(config.dataDir, 'spool'));
    this.spool = spool;
    for (const item of await spool.awaitingStorage()) this.awaiting.set(refKey(refOf(item)), refOf(item));
    this.outbox = new HostOutbox((m) => this.client?.send(m) ?? false, logger);
    this.uploader = new Uploader({
      spool,
      logger,
      maxKbps: config.upload.maxKbps,
      retryMaxSeconds: config.upload.retryMaxSeconds,
      stateDir: path.join(config.dataDir, 'upload-state'),
      onReceived: (item, inStorage) =>
        this.inOrder(async () => {
          if (inStorage) return this.stored(item);
          if (await spool.markSent(item)) this.awaiting.set(refKey(refOf(item)), refOf(item));
        }),
      onSetAside: (item, reason) =>
        this.outbox.report({
          kind: 'file-kept',
          captureId: item.segment.captureId,
          fileName: item.segment.fileName,
          bytes: item.segment.bytes,
          reason: `kept in the spool's conflicts folder: ${reason}`,
        }),
      onGone: (item) =>
        this.outbox.report({
          kind: 'file-discarded',
          captureId: item.segment.captureId,
          fileName: item.segment.fileName,
          bytes: item.segment.bytes,
          reason: 'the file vanished from the spool before it was uploaded',
        }),
    });
    const backend = this.options.captureBackend ?? (await this.loadBackend());
    // One recovery at a time: at start, before a capture reuses a folder, and when the disk is back.
    const recover = () => {
      this.recovering = this.recovering.then(() =>
        recoverSpool({
          spool,
          backend,
          uploader: this.uploader,
          outbox: this.outbox,
          logger,
          active: () => new Set(this.runner?.activeCaptureId ? [this.runner.activeCaptureId] : []),
        }).catch((error: Error) => logger.error({ err: error.message }, 'spool recovery failed')),
      );
      return this.recovering;
    };
    this.health = new SpoolHealth({
      spool,
      outbox: this.outbox,
      logger,
      minFreeDiskMb: config.upload.minFreeDiskMb,
      onRecovered: () => void recover(),
    });
    logger.info({ backend: backend.describe() }, 'capture backend ready');

    const addresses = [config.controller.primary, config.controller.secondary]
      .filter((a): a is string => Boolean(a))
      .map((a) => parseAddress(a, config.controller.tls));
    const fixedLogin = config.login;
    this.watcher = new LoginWatcher(
      fixedLogin ? async () => fixedLogin : (this.options.readLogin ?? (() => readConsoleLogin())),
      config.sessionPollSeconds * 1000,
      logger,
    );
    await this.watcher.start(({ login, presence }) => this.client.send({ type: 'session', login, presence }));

    const monitors = await backend.probeMonitors().catch(() => []);
    this.client = new ControllerClient({
      addresses,
      tls: config.controller.tls,
      ...(config.controller.caFile ? { caFile: config.controller.caFile } : {}),
      ...(config.controller.tlsCert
        ? { certFile: config.controller.tlsCert, keyFile: config.controller.tlsKey! }
        : {}),
      pin: await CertificatePin.load(config.dataDir, config.controller.fingerprint),
      logger,
      returnToPrimaryMs: config.controller.returnToPrimarySeconds * 1000,
      deadAfterMs: this.options.deadAfterMs ?? 95_000,
      hello: () => ({
        tenantToken: config.tenantToken,
        workstationId: this.identity.workstationId,
        workstationSecret: this.identity.workstationSecret,
        computerName: config.computerName,
        ...((config.domain ?? process.env.USERDOMAIN)
          ? { domain: config.domain ?? process.env.USERDOMAIN }
          : {}),
        os: { platform: process.platform, release: os.release() },
        agentVersion: pkg.version,
        monitors,
        login: this.watcher.current,
        presence: this.watcher.reading.presence,
        captureBackend: backend.describe().slice(0, 512),
        ...(this.awaiting.size
          ? { pendingSegments: [...this.awaiting.values()].slice(0, MAX_PENDING_SEGMENTS) }
          : {}),
      }),
    });
    this.runner = new CaptureRunner({
      backend,
      spool,
      uploader: this.uploader,
      logger,
      send: (m) => this.client.send(m),
      minFreeDiskMb: config.upload.minFreeDiskMb,
      health: this.health,
      recover,
      // The host may leave its own address to the agent: the one the agent reached the controller at.
      uploadUrl: () => {
        const host = this.client.current?.host ?? '127.0.0.1';
        return (this.uploadUrl || 'http://{controller-host}:6543').replace(
          '{controller-host}',
          host.includes(':') ? `[${host}]` : host,
        );
      },
    });
    this.client.on('message', (message) => void this.onMessage(message));
    this.client.on('disconnected', () => {
      this.state = 'unknown';
      this.outbox.offline();
    });
    this.client.start();

    this.health.start();
    void recover();
    this.statusTimer = setInterval(() => void this.writeStatus(), 2000);
    this.statusTimer.unref();
  }

  private async loadBackend(): Promise<CaptureBackend> {
    const { config, logger } = this.options;
    const registry = await loadPlugins([{ kind: 'capture', entry: config.capture, where: 'capture' }], {
      logger,
      clock: systemClock,
      dataDir: path.join(config.dataDir, 'plugins'),
      signal: this.abort.signal,
    });
    return registry.list('capture')[0]!.instance;
  }

  private async onMessage(message: HostMessage): Promise<void> {
    const { logger } = this.options;
    switch (message.type) {
      case 'welcome':
        this.state = message.state;
        this.settings = message.settings;
        this.uploadUrl = message.uploadUrl;
        logger.info(
          { state: message.state, workstationId: message.workstationId },
          'welcomed by the controller',
        );
        this.outbox.flush();
        break;
      case 'authorization':
        this.state = message.state;
        logger.info({ state: message.state }, 'authorization changed');
        if (message.state !== 'authorized') await this.runner.stop(`workstation is ${message.state}`);
        break;
      case 'settings':
        this.settings = message.settings;
        this.uploadUrl = message.uploadUrl;
        break;
      case 'capture.start':
        if (this.state !== 'authorized') {
          this.client.send({
            type: 'capture.refused',
            captureId: message.captureId,
            reason: `workstation is ${this.state}`,
          });
          return;
        }
        await this.runner.start(message);
        break;
      case 'capture.stop':
        await this.runner.stop(message.reason, message.captureId);
        break;
      case 'segment.stored':
        await this.inOrder(async () => {
          const item = await this.spool.find(message.segment);
          if (item) await this.stored(item);
          else this.awaiting.delete(refKey(message.segment));
        });
        break;
      case 'segment.resend':
        await this.inOrder(async () => {
          this.awaiting.delete(refKey(message.segment));
          const item = await this.spool.find(message.segment);
          if (!item) return;
          await this.spool.unmarkSent(item);
          logger.warn(
            { file: item.segment.fileName, reason: message.reason },
            'the host asks for a segment again',
          );
          this.uploader.enqueue(item);
        });
        break;
      case 'error':
        logger[message.fatal ? 'error' : 'warn']({ code: message.code }, `controller: ${message.message}`);
        break;
    }
  }

  private inOrder(work: () => Promise<void>): Promise<void> {
    const next = this.segmentWork.then(work);
    this.segmentWork = next.catch((error: Error) =>
      this.options.logger.error({ err: error.message }, 'could not update a segment in the spool'),
    );
    return this.segmentWork;
  }

  /** A host has the segment in the storage target: the agent's copy goes now. */
  private async stored(item: SpooledSegment): Promise<void> {
    await this.spool.remove(item);
    this.awaiting.delete(refKey(refOf(item)));
    this.options.logger.info({ file: item.segment.fileName }, 'segment in storage; removed from the spool');
  }

  status(): AgentStatus {
    return {
      workstationId: this.identity.workstationId,
      computerName: this.options.config.computerName,
      connected: this.client.connected,
      ...(this.client.current
        ? { controller: `${this.client.current.host}:${this.client.current.port}` }
        : {}),
      state: this.state,
      login: this.watcher.current,
      presence: this.watcher.reading.presence,
      ...(this.runner.activeCaptureId ? { capturing: this.runner.activeCaptureId } : {}),
      pendingUploads: this.uploader.pendingCount,
      awaitingStorage: this.awaiting.size,
      spool: this.health.state,
      ...(this.uploader.progress ? { upload: this.uploader.progress } : {}),
      ...(this.uploadUrl ? { uploadUrl: this.uploadUrl } : {}),
      ...(this.client.lastProblem ? { lastError: this.client.lastProblem.message } : {}),
      updatedAt: new Date().toISOString(),
    };
  }

  private async writeStatus(): Promise<void> {
    const file = path.join(this.options.config.dataDir, 'status.json');
    await fs.writeFile(`${file}.tmp`, JSON.stringify(this.status(), null, 2)).catch(() => undefined);
    await fs.rename(`${file}.tmp`, file).catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.statusTimer);
    this.watcher?.stop();
    this.health?.stop();
    await this.runner?.stop('agent stopping');
    await this.uploader?.stop();
    await this.client?.stop();
    this.abort.abort();
    await this.writeStatus();
  }
}
