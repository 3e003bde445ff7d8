import type { Logger } from '@deskrec/core';
import { freeMb } from '../capture/disk-space.js';
import type { HostOutbox } from './host-outbox.js';
import type { Spool } from './spool.js';

export type SpoolState = 'ok' | 'unwritable' | 'full';

export interface SpoolHealthOptions {
  spool: Spool;
  outbox: HostOutbox;
  logger: Logger;
  /** Below this much free space the spool counts as full. */
  minFreeDiskMb: number;
  checkMs?: number;
  /** The spool is writable again after a failure: files it could not take meanwhile are picked up. */
  onRecovered(): void;
}

const FULL = new Set(['ENOSPC', 'EDQUOT']);

/** How a failed spool write reads: a full disk, or one that may not be written at all. */
export function spoolStateOf(error: unknown): Exclude<SpoolState, 'ok'> {
  return FULL.has((error as NodeJS.ErrnoException).code ?? '') ? 'full' : 'unwritable';
}

/**
 * Watches whether the spool can take captures (a file can be written, free space above the floor), reports
 * each change to the host and starts recovery when the disk is back. Failures seen by spool writes
 * elsewhere are passed in with `failed`, so the host hears of them at once.
 */
export class SpoolHealth {
  state: SpoolState = 'ok';
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: SpoolHealthOptions) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.options.checkMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A spool write failed with `error`. */
  failed(error: unknown, where: string): void {
    this.set(spoolStateOf(error), `${where}: ${(error as Error).message}`);
  }

  /** Checks now; concurrent calls share one check. */
  check(): Promise<void> {
    this.checking ??= this.probe().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async probe(): Promise<void> {
    const { spool, minFreeDiskMb } = this.options;
    try {
      await spool.probeWritable();
    } catch (error) {
      return this.set(spoolStateOf(error), `cannot write in ${spool.root}: ${(error as Error).message}`);
    }
    const free = await freeMb(spool.root).catch(() => Number.POSITIVE_INFINITY);
    if (free < minFreeDiskMb) {
      return this.set(
        'full',
        `only ${Math.floor(free)} MiB free in ${spool.root}; captures need ${minFreeDiskMb} MiB`,
        free,
      );
    }
    this.set('ok', `${spool.root} is writable again`, Number.isFinite(free) ? free : undefined);
  }

  private set(state: SpoolState, reason: string, free?: number): void {
    if (state === this.state) return;
    const was = this.state;
    this.state = state;
    this.options.outbox.report({
      kind: state === 'ok' ? 'spool-ok' : state === 'full' ? 'spool-full' : 'spool-unwritable',
      reason,
      ...(free === undefined ? {} : { freeMb: Math.max(0, Math.floor(free)) }),
    });
    if (state === 'ok' && was !== 'ok') this.options.onRecovered();
  }
}
