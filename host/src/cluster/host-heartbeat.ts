import { hostname } from 'node:os';
import { type Logger, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { HostsRepo } from '../db/repos/hosts.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';

/**
 * Keeps this host's row in `hosts` fresh, so the other hosts of the cluster can tell it is alive; a host whose
 * heartbeat is older than `cluster.hostGoneAfterSeconds` is taken as gone.
 */
@injectable()
export class HostHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    @inject(HOST_TOKENS.HostId) readonly hostId: string,
    @inject(HOST_TOKENS.HostsRepo) private readonly hosts: HostsRepo,
    @inject(HOST_TOKENS.Config) private readonly config: HostConfig,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.hosts.started(this.hostId, this.config.cluster.hostName ?? hostname());
    this.timer = setInterval(() => void this.beat(), this.config.cluster.heartbeatSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    try {
      await this.hosts.beat(this.hostId);
      if (this.failing) this.logger.info({ hostId: this.hostId }, 'Host heartbeat written again');
      this.failing = false;
    } catch (error) {
      // Logged once per outage: the database being away is reported by its own health check.
      if (!this.failing)
        this.logger.warn(
          { hostId: this.hostId, err: (error as Error).message },
          'Host heartbeat not written',
        );
      this.failing = true;
    }
  }
}
