import { randomUUID } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface StorageTargetRecord {
  id: string;
  name: string;
  kind: string;
  /** Stored as given, secrets included (see README: encrypting them at rest is future work). */
  options: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

@injectable()
export class StorageTargetsRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  private static toRecord(row: {
    id: string;
    name: string;
    kind: string;
    options: Record<string, unknown>;
    created_at: Date | string;
    updated_at: Date | string;
  }): StorageTargetRecord {
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      options: row.options,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  async list(tenantId: string): Promise<StorageTargetRecord[]> {
    const rows = await this.db
      .selectFrom('storage_targets')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map(StorageTargetsRepo.toRecord);
  }

  async get(tenantId: string, id: string): Promise<StorageTargetRecord | undefined> {
    const row = await this.db
      .selectFrom('storage_targets')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? StorageTargetsRepo.toRecord(row) : undefined;
  }

  async create(
    tenantId: string,
    input: { name: string; kind: string; options: Record<string, unknown> },
  ): Promise<StorageTargetRecord> {
    const now = this.clock.now();
    const row = await this.db
      .insertInto('storage_targets')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        name: input.name,
        kind: input.kind,
        options: JSON.stringify(input.options),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return StorageTargetsRepo.toRecord(row);
  }

  async update(
    tenantId: string,
    id: string,
    input: { name: string; options: Record<string, unknown> },
  ): Promise<StorageTargetRecord | undefined> {
    const row = await this.db
      .updateTable('storage_targets')
      .set({ name: input.name, options: JSON.stringify(input.options), updated_at: this.clock.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? StorageTargetsRepo.toRecord(row) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('storage_targets')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
