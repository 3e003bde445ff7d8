import {
  type CaptureSettings,
  type Clock,
  captureSettingsOf,
  TOKENS,
  type WorkstationRecord,
  type WorkstationState,
} from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { SpoolReport, WorkstationDirectory, WorkstationPresence } from '../../workstations/ports.js';
import type { Database } from '../schema.js';
import { isUniqueViolation, sameDigest, sha256Hex } from '../secrets.js';
import type { SettingsRepo } from './settings.js';

/** The controller's and auth plugin's view of workstations, over kysely; every query is tenant-scoped. */
@injectable()
export class KyselyWorkstationDirectory implements WorkstationDirectory {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async findTenantByToken(token: string): Promise<{ tenantId: string } | undefined> {
    if (typeof token !== 'string' || !token) return undefined;
    const hash = sha256Hex(token);
    const row = await this.db
      .selectFrom('tenants')
      .select(['id', 'screen_recording_token_hash'])
      .where('screen_recording_token_hash', '=', hash)
      .executeTakeFirst();
    // The index lookup already matched; comparing again in constant time keeps the check honest if the
    // lookup ever becomes a prefix or case-insensitive match.
    return row && sameDigest(row.screen_recording_token_hash, hash) ? { tenantId: row.id } : undefined;
  }

  async find(tenantId: string, workstationId: string): Promise<WorkstationRecord | undefined> {
    const row = await this.db
      .selectFrom('workstations')
      .select(['tenant_id', 'id', 'secret_hash', 'state'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .executeTakeFirst();
    return row
      ? { tenantId: row.tenant_id, workstationId: row.id, secretHash: row.secret_hash, state: row.state }
      : undefined;
  }

  /** Deliberately across tenants (the port's contract): ids are random, so this finds the enrolled one. */
  async findById(workstationId: string): Promise<readonly WorkstationRecord[]> {
    const rows = await this.db
      .selectFrom('workstations')
      .select(['tenant_id', 'id', 'secret_hash', 'state'])
      .where('id', '=', workstationId)
      .execute();
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      workstationId: row.id,
      secretHash: row.secret_hash,
      state: row.state,
    }));
  }

  async tenantRefusal(tenantId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('tenants')
      .select('state')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!row) return 'the tenant no longer exists';
    if (row.state === 'active') return undefined;
    return row.state === 'suspended'
      ? 'the tenant is suspended by its service provider; recording resumes when the provider resumes it'
      : 'the tenant is being deleted';
  }

  async countPending(tenantId: string): Promise<number> {
    const row = await this.db
      .selectFrom('workstations')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createPending(
    record: WorkstationRecord & { computerName: string; domain?: string },
  ): Promise<boolean> {
    const now = this.clock.now();
    try {
      const result = await this.db
        .insertInto('workstations')
        .values({
          tenant_id: record.tenantId,
          id: record.workstationId,
          secret_hash: record.secretHash,
          state: record.state,
          computer_name: record.computerName,
          domain: record.domain ?? null,
          monitors: '[]',
          first_seen: now,
          last_seen: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async markConflict(tenantId: string, workstationId: string, remoteAddress?: string): Promise<void> {
    await this.db
      .updateTable('workstations')
      .set({ conflict: true, conflict_at: this.clock.now(), conflict_address: remoteAddress ?? null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .execute();
  }

  async recordConnected(p: WorkstationPresence): Promise<void> {
    await this.db
      .updateTable('workstations')
      .set({
        computer_name: p.computerName,
        domain: p.domain ?? null,
        os: JSON.stringify(p.os),
        agent_version: p.agentVersion,
        monitors: JSON.stringify(p.monitors),
        login: p.login,
        capture_backend: p.captureBackend ?? null,
        remote_address: p.remoteAddress ?? null,
        online: true,
        last_seen: p.at,
      })
      .where('tenant_id', '=', p.tenantId)
      .where('id', '=', p.workstationId)
      .execute();
    if (p.remoteAddress === undefined) return;
    await this.db
      .insertInto('workstation_addresses')
      .values({
        tenant_id: p.tenantId,
        workstation_id: p.workstationId,
        address: p.remoteAddress,
        first_seen: p.at,
        last_seen: p.at,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'workstation_id', 'address']).doUpdateSet((eb) => ({
          last_seen: p.at,
          connections: eb('workstation_addresses.connections', '+', 1),
        })),
      )
      .execute();
  }

  async recordLogin(tenantId: string, workstationId: string, login: string | null, at: Date): Promise<void> {
    await this.db
      .updateTable('workstations')
      .set({ login, last_seen: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .execute();
  }

  async recordSpoolReport(tenantId: string, workstationId: string, report: SpoolReport): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        tenant_id: tenantId,
        actor_user_id: null,
        action: `agent.${report.kind}`,
        target_type: 'workstation',
        target_id: workstationId,
        detail: JSON.stringify(report),
        ip: null,
        at: new Date(report.at),
      })
      .execute();
  }

  async recordSeen(tenantId: string, workstationId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('workstations')
      .set({ last_seen: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .execute();
  }

  async recordDisconnected(tenantId: string, workstationId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('workstations')
      .set({ online: false, last_seen: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .execute();
  }

  async stateOf(tenantId: string, workstationId: string): Promise<WorkstationState | undefined> {
    return (await this.find(tenantId, workstationId))?.state;
  }

  async captureSettings(tenantId: string): Promise<{ settings: CaptureSettings; uploadUrl: string }> {
    const settings = await this.settings.get(tenantId);
    return { settings: captureSettingsOf(settings), uploadUrl: settings.storageHostUrl || '' };
  }
}
