import { type CallEvent, type Clock, type ScreenRecordingSettings, TOKENS } from '@deskrec/core';
import type { SettingsRepo } from '../db/repos/settings.js';
import { normalizeLogin, type UsersRepo, type UserView } from '../db/repos/users.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';

/** A tenant's users, indexed the ways a call event names its agent, and its settings. */
export class TenantDirectory {
  private readonly byExtension = new Map<string, UserView>();
  private readonly byLogin = new Map<string, UserView>();
  private readonly byId = new Map<string, UserView>();
  private readonly byExternalId = new Map<string, UserView>();

  constructor(
    users: UserView[],
    readonly settings: ScreenRecordingSettings,
    readonly loadedAt: number,
  ) {
    for (const user of users) {
      this.byId.set(user.id, user);
      for (const extension of user.extensions) this.byExtension.set(extension, user);
      if (user.screenRecordingLogin) this.byLogin.set(normalizeLogin(user.screenRecordingLogin), user);
      if (user.externalId) this.byExternalId.set(user.externalId, user);
    }
  }

  find(agent: CallEvent['agent']): UserView | undefined {
    if (agent.by === 'extension') return this.byExtension.get(agent.value);
    if (agent.by === 'login') return this.byLogin.get(normalizeLogin(agent.value));
    return this.byId.get(agent.value) ?? this.byExternalId.get(agent.value);
  }
}

/** After this long a cached directory is reloaded in the background (another host may have changed it). */
const REFRESH_MS = 30_000;

/**
 * Users and settings per tenant, in memory, so a call can be decided without a database read. A change made
 * through this host's repositories drops the tenant's copy at once (the next call waits for a fresh one);
 * changes made by other hosts arrive with the periodic background reload.
 */
@injectable()
export class LiveDirectory {
  private readonly cache = new Map<string, TenantDirectory>();
  private readonly loading = new Map<string, Promise<TenantDirectory>>();
  private readonly generation = new Map<string, number>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    @inject(HOST_TOKENS.UsersRepo) private readonly users: UsersRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {
    const drop = (tenantId: string) => {
      this.cache.delete(tenantId);
      this.loading.delete(tenantId);
      this.generation.set(tenantId, (this.generation.get(tenantId) ?? 0) + 1);
    };
    this.unsubscribe = [users.onChange(drop), settings.onChange(drop)];
  }

  /** The cached directory, or undefined while it is (re)loading; a stale copy is served while it refreshes. */
  peek(tenantId: string): TenantDirectory | undefined {
    const cached = this.cache.get(tenantId);
    if (!cached || this.now() - cached.loadedAt > REFRESH_MS) void this.load(tenantId).catch(() => undefined);
    return cached;
  }

  load(tenantId: string): Promise<TenantDirectory> {
    const running = this.loading.get(tenantId);
    if (running) return running;
    const generation = this.generation.get(tenantId) ?? 0;
    const load = (async () => {
      const loadedAt = this.now();
      const [users, settings] = await Promise.all([this.users.all(tenantId), this.settings.get(tenantId)]);
      const directory = new TenantDirectory(users, settings, loadedAt);
      // A change made while this read ran may be missing from it: keep it for this caller only.
      if ((this.generation.get(tenantId) ?? 0) === generation) this.cache.set(tenantId, directory);
      return directory;
    })().finally(() => {
      if (this.loading.get(tenantId) === load) this.loading.delete(tenantId);
    });
    this.loading.set(tenantId, load);
    return load;
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}
