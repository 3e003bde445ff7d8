import type { Logger } from '@deskrec/core';
import type { DbSession } from '../db/db-session.js';

/** The advisory-lock namespace of call-event sources (first key of the two-key form): "dskr". */
const SOURCE_LOCK_SPACE = 0x64736b72;
/** Second key: the source id, per schema (hosts sharing a database but not a schema are not one cluster). */
const KEY = `hashtext(current_schema() || '/' || $2)`;

export interface SourceLockOptions {
  sourceId: string;
  hostId: string;
  openSession: (applicationName: string) => Promise<DbSession>;
  retryMs: number;
  logger: Logger;
  /** The lock is ours: run the source. */
  acquired(): Promise<void>;
  /** The lock is gone (its session ended): stop the source now, before anyone else can take it. */
  lost(): Promise<void>;
  /** Another host holds it; `holderHostId` is undefined when the holder cannot be told. */
  standby(holderHostId: string | undefined): Promise<void>;
}

/** Application name of a host's lock sessions; other hosts read the host id back from pg_stat_activity. */
const appName = (hostId: string) => `deskrec ${hostId}`;

/**
 * Holds a session-level advisory lock for one source on a session of its own, so that exactly one host of a
 * cluster runs it: the lock lives as long as the session, and a dead host's session (so its lock) ends with it.
 * Not holding it, the host retries every `retryMs`.
 */
export class SourceLock {
  private session: DbSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private stopped = false;
  private attempt: Promise<void> = Promise.resolve();

  constructor(private readonly o: SourceLockOptions) {}

  start(): Promise<void> {
    this.attempt = this.tryAcquire();
    return this.attempt;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    if (this.held) await this.o.lost();
    this.held = false;
    await this.session?.close();
    this.session = undefined;
  }

  private schedule(delayMs = this.o.retryMs): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.attempt = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tryAcquire(): Promise<void> {
    try {
      if (!this.session) {
        const session = await this.o.openSession(appName(this.o.hostId));
        session.onLost((reason) => void this.onLost(session, reason));
        this.session = session;
      }
      const [row] = await this.session.query<{ ok: boolean }>(
        `select pg_try_advisory_lock($1, ${KEY}) as ok`,
        [SOURCE_LOCK_SPACE, this.o.sourceId],
      );
      if (this.stopped) return;
      if (row?.ok) {
        this.held = true;
        this.o.logger.info({}, 'call-event source lock taken: this host runs the source');
        await this.o.acquired().catch(async (error: unknown) => {
          // A source that cannot start must not keep the others from trying.
          this.held = false;
          await this.session?.query(`select pg_advisory_unlock($1, ${KEY})`, [
            SOURCE_LOCK_SPACE,
            this.o.sourceId,
          ]);
          throw error;
        });
      } else await this.o.standby(await this.holder());
    } catch (error) {
      this.o.logger.warn({ err: (error as Error).message }, 'call-event source lock not taken; will retry');
      await this.o.standby(undefined).catch(() => undefined);
    }
    this.schedule();
  }

  /** Tries to take the lock; holding it, checks its session still answers (a silent break is a loss). */
  private async tick(): Promise<void> {
    if (!this.held) return this.tryAcquire();
    const session = this.session;
    try {
      await session?.query('select 1', []);
      this.schedule();
    } catch (error) {
      if (session) await this.onLost(session, (error as Error).message);
    }
  }

  private async holder(): Promise<string | undefined> {
    const rows = await this.session!.query<{ name: string }>(
      `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 2
          and l.classid = $1::int4::oid and l.objid = (${KEY})::oid`,
      [SOURCE_LOCK_SPACE, this.o.sourceId],
    );
    const name = rows[0]?.name;
    return name?.startsWith('deskrec ') ? name.slice('deskrec '.length) : undefined;
  }

  private async onLost(session: DbSession, reason: string): Promise<void> {
    if (this.session !== session) return;
    this.session = undefined;
    if (this.stopped) return;
    const wasHeld = this.held;
    this.held = false;
    if (wasHeld) {
      this.o.logger.warn({ reason }, 'call-event source lock lost: stopping the source on this host');
      await this.o.lost();
    }
    // Not awaited: ending a session whose network is gone can hang; the server drops it when TCP gives up.
    void session.close();
    // A host that just lost the lock waits one turn more, so a host whose database session is sound takes over.
    this.schedule(wasHeld ? 2 * this.o.retryMs : this.o.retryMs);
  }
}
