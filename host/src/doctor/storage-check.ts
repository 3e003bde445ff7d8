import { existsSync } from 'node:fs';
import {
  type CheckLine,
  checkFail,
  checkOk,
  type PluginManifest,
  silentLogger,
  systemClock,
  TOKENS,
} from '@deskrec/core';
import type { Kysely } from 'kysely';
import { resolveStorageKinds } from '../app/plugins.js';
import type { HostConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../db/open-database.js';
import { registerRepositories } from '../db/register-repositories.js';
import type { Database } from '../db/schema.js';
import { container, resolve } from '../di.js';
import { DEFAULT_TARGET_ID, TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';

/** Stands in for a database that could not be opened: only tenant targets would read it, and they are skipped. */
const noDatabase = new Proxy({} as Kysely<Database>, {
  get() {
    throw new Error('the database could not be opened');
  },
});

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
  // The host's own registrations, over the database when it could be opened: the default target needs no
  // repository, they are only read for tenant targets.
  const scope = container.createChildContainer();
  scope.register(TOKENS.Clock, { useValue: systemClock });
  scope.register(TOKENS.Logger, { useValue: silentLogger });
  scope.register(HOST_TOKENS.Config, { useValue: config });
  scope.register(HOST_TOKENS.StorageKinds, { useValue: kinds });
  scope.register(HOST_TOKENS.ShutdownSignal, { useValue: abort.signal });
  scope.register(HOST_TOKENS.Database, { useValue: database?.db ?? noDatabase });
  registerRepositories(scope);
  scope.register(HOST_TOKENS.TargetResolver, { useClass: TargetResolver });
  const resolver = resolve(scope, HOST_TOKENS.TargetResolver);
  const repos = database ? resolve(scope, HOST_TOKENS.Repositories) : undefined;
  try {
    const lines = [
      await checkOne(resolver, '', DEFAULT_TARGET_ID, `${DEFAULT_TARGET_ID} (${config.dataDir}/recordings)`),
    ];
    if (!repos || !database) return lines;
    const tenants = await repos.tenants.list();
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
    scope.reset();
  }
}
