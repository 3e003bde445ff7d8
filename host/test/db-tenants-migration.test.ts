import { Migrator, sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { migrateToLatest, provider } from '../src/db/migrate.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ d: TestDatabase }>(`db: migration 0008 tenants (${kind})`);
  test.before(async (ctx) => {
    ctx.d = await openTestDatabase(kind);
  });
  test.after(async (ctx) => ctx.d.cleanup());

  test('an upgraded installation makes the oldest admin of the default tenant its provider admin', async (ctx) => {
    const db = ctx.d.handle.db;
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0]!.schema });
    const down = await migrator.migrateTo('0007-workstation-addresses');
    assert.is(down.error, undefined);
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await db
      .insertInto('tenants')
      .values([
        {
          id: 't1',
          slug: 'default',
          name: 'Default',
          screen_recording_token_hash: 'a',
          token_hint: '',
          created_at: at(0),
        },
        {
          id: 't2',
          slug: 'other',
          name: 'Other',
          screen_recording_token_hash: 'b',
          token_hint: '',
          created_at: at(0),
        },
      ] as never)
      .execute();
    const admin = (id: string, tenant: string, role: string, s: number) => ({
      id,
      tenant_id: tenant,
      username: id,
      password_hash: 'x',
      role,
      created_at: at(s),
    });
    await db
      .insertInto('admin_users')
      .values([
        admin('sup', 't1', 'supervisor', 0),
        admin('first', 't1', 'admin', 1),
        admin('second', 't1', 'admin', 2),
        admin('elsewhere', 't2', 'admin', 0),
      ] as never)
      .execute();
    const up = await migrator.migrateTo('0008-tenants');
    assert.is(up.error, undefined);
    assert.equal(
      up.results?.map((r) => r.migrationName),
      ['0008-tenants'],
    );
    const roles = await db.selectFrom('admin_users').select(['id', 'role']).orderBy('id').execute();
    assert.equal(roles, [
      { id: 'elsewhere', role: 'admin' },
      { id: 'first', role: 'provider-admin' },
      { id: 'second', role: 'admin' },
      { id: 'sup', role: 'supervisor' },
    ]);
    const states = await db.selectFrom('tenants').select('state').execute();
    assert.equal(
      states.map((s) => s.state),
      ['active', 'active'],
    );
    // The role check still refuses what is no role.
    const bad = await db
      .updateTable('admin_users')
      .set({ role: 'root' as never })
      .where('id', '=', 'sup')
      .execute()
      .then(
        () => 'accepted',
        (error: { code?: string }) => error.code,
      );
    assert.is(bad, '23514');
    assert.ok((await migrateToLatest(db)).length > 0, 'the later migrations apply on top');
  });

  test.run();
}
