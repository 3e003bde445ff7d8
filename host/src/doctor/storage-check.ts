import { existsSync } from 'node:fs';
import { type CheckLine, checkFail, checkOk, type PluginManifest, silentLogger } from '@deskrec/core';
import { resolveStorageKinds } from '../app/plugins.js';
import type { HostConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../db/open-database.js';
import { createRepositories } from '../db/repositories.js';
import { DEFAULT_TARGET_ID, TargetResolver } from '../storage/target-resolver.js';

async function checkOne(
  resolver: TargetResolver,
  tenantId: string,
  id: string,
  label: string,
): Promise<CheckLine> {
  const check = `storage ${label}`;
  try {
    const { target } = await resolver.byId(tenantId, id);
    const result = await target.check();
    return result.ok
      ? checkOk(check, result.message)
      : checkFail(
          check,
          result.message,
          'fix the target in the portal under Storage targets, then test it there',
        );
  } catch (error) {
    return checkFail(check, (error as Error).message, 'fix the target in the portal under Storage targets');
  }
}

/**
 * Runs each storage target's own check() (connect, authenticate, write and delete a probe): the default
 * local folder always, and every tenant's targets when the database could be read.
 */
export async function checkStorage(
  config: HostConfig,
  database: DatabaseHandle | undefined,
): Promise<CheckLine[]> {
  if (!existsSync(config.dataDir)) {
    return [checkOk(`storage ${DEFAULT_TARGET_ID}`, `the first start creates ${config.dataDir}/recordings`)];
  }
  const abort = new AbortController();
  let kinds: Map<string, PluginManifest<'storage'>>;
  try {
    kinds = await resolveStorageKinds(config, silentLogger);
  } catch (error) {
    return [checkFail('storage kinds', (error as Error).message, 'fix plugins.storage in the configuration')];
  }
  const repos = database ? createRepositories(database.db) : undefined;
  const resolver = new TargetResolver({
    // The default target needs neither repository; they are only read for tenant targets.
    settings: repos?.settings as never,
    targets: repos?.storageTargets as never,
    kinds,
    dataDir: config.dataDir,
    logger: silentLogger,
    signal: abort.signal,
  });
  try {
    const lines = [
      await checkOne(resolver, '', DEFAULT_TARGET_ID, `${DEFAULT_TARGET_ID} (${config.dataDir}/recordings)`),
    ];
    if (!repos || !database) return lines;
    const tenants = await database.db.selectFrom('tenants').select(['id', 'slug']).execute();
    for (const tenant of tenants) {
      for (const target of await repos.storageTargets.list(tenant.id)) {
        lines.push(
          await checkOne(resolver, tenant.id, target.id, `${tenant.slug}/${target.name} (${target.kind})`),
        );
      }
    }
    return lines;
  } finally {
    await resolver.close();
    abort.abort();
  }
}
