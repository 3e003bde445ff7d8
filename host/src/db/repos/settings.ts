import {
  type Clock,
  type ScreenRecordingSettings,
  ScreenRecordingSettingsSchema,
  TOKENS,
} from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

@injectable()
export class SettingsRepo {
  private readonly listeners = new Set<(tenantId: string) => void>();

  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Called after the tenant's settings were saved here (caches drop their copy). */
  onChange(listener: (tenantId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stored settings with defaults for anything missing (new keys added in later versions get defaults too). */
  async get(tenantId: string): Promise<ScreenRecordingSettings> {
    const row = await this.db
      .selectFrom('settings')
      .select('settings')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    const parsed = ScreenRecordingSettingsSchema.safeParse(row?.settings ?? {});
    // A stored value that no longer validates (bounds tightened by an upgrade) falls back to defaults.
    return parsed.success ? parsed.data : ScreenRecordingSettingsSchema.parse({});
  }

  async put(tenantId: string, settings: ScreenRecordingSettings): Promise<void> {
    const json = JSON.stringify(settings);
    const now = this.clock.now();
    await this.db
      .insertInto('settings')
      .values({ tenant_id: tenantId, settings: json, updated_at: now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: json, updated_at: now }))
      .execute();
    for (const listener of this.listeners) listener(tenantId);
  }
}
