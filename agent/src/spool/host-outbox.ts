import type { AgentMessageBody, Logger } from '@deskrec/core';

type SpoolReport = Extract<AgentMessageBody, { type: 'spool.report' }>;
export type SpoolReportBody = Omit<SpoolReport, 'type' | 'at'>;

/** Reports kept for a host that is away; older ones give way beyond this many. */
const LIMIT = 500;

/**
 * What the spool tells the host (files it could not upload, its own health) must reach it even when it is
 * offline as it happens, e.g. a disk that fills during a host outage: reports wait here until sent.
 */
export class HostOutbox {
  private readonly waiting: SpoolReport[] = [];
  /** Welcomed by a host: before that a message would arrive ahead of the hello's answer. */
  private online = false;

  constructor(
    private readonly send: (message: AgentMessageBody) => boolean,
    private readonly logger: Logger,
  ) {}

  report(body: SpoolReportBody): void {
    const message: SpoolReport = { type: 'spool.report', ...body, at: new Date().toISOString() };
    this.logger[body.kind === 'spool-ok' ? 'info' : 'warn']({ ...body }, `spool: ${body.reason}`);
    if (this.online && this.waiting.length === 0 && this.send(message)) return;
    this.waiting.push(message);
    if (this.waiting.length > LIMIT) this.waiting.shift();
  }

  /** Sends what waited, in order; called when the host welcomed the agent. */
  flush(): void {
    this.online = true;
    while (this.waiting.length && this.send(this.waiting[0]!)) this.waiting.shift();
  }

  /** The connection is gone: keep reports until the next welcome. */
  offline(): void {
    this.online = false;
  }

  get pending(): number {
    return this.waiting.length;
  }
}
