import { silentLogger, systemClock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { resolveStorageKinds } from '../app/plugins.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import type { HostConfig } from '../config/schema.js';
import { registerRepositories } from '../db/register-repositories.js';
import type { Database } from '../db/schema.js';
import { container, resolve } from '../di.js';
import { isFailure, type VerifyReport, verifyTenant } from '../integrity/verify-tenant.js';
import { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { openCliDatabase } from './cli-database.js';

export interface VerifyOptions {
  /** Only this tenant (its slug); every tenant when omitted. */
  tenant?: string;
  concurrency?: number;
}

/** Verifies the recordings of one tenant or all, reading each storage target the way the host does. */
export async function verifyRecordings(
  config: HostConfig,
  db: Kysely<Database>,
  options: VerifyOptions = {},
): Promise<VerifyReport[]> {
  const abort = new AbortController();
  const scope = container.createChildContainer();
  scope.register(TOKENS.Clock, { useValue: systemClock });
  scope.register(TOKENS.Logger, { useValue: silentLogger });
  scope.register(HOST_TOKENS.Config, { useValue: config });
  scope.register(HOST_TOKENS.StorageKinds, { useValue: await resolveStorageKinds(config, silentLogger) });
  scope.register(HOST_TOKENS.ShutdownSignal, { useValue: abort.signal });
  scope.register(HOST_TOKENS.Database, { useValue: db });
  registerRepositories(scope);
  scope.register(HOST_TOKENS.TargetResolver, { useClass: TargetResolver });
  const resolver = resolve(scope, HOST_TOKENS.TargetResolver);
  const repos = resolve(scope, HOST_TOKENS.Repositories);
  try {
    const all = await repos.tenants.list();
    const tenants = options.tenant ? all.filter((t) => t.slug === options.tenant) : all;
    if (!tenants.length) throw new ConfigError(`no tenant "${options.tenant}"; pass --tenant <slug>`);
    const reports: VerifyReport[] = [];
    for (const tenant of tenants) {
      reports.push(
        await verifyTenant(
          {
            manifests: repos.manifests,
            signingKeys: repos.signingKeys,
            target: async (id) =>
              (id ? await resolver.byId(tenant.id, id) : await resolver.forTenant(tenant.id)).target,
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          },
          tenant,
        ),
      );
    }
    return reports;
  } finally {
    await resolver.close();
    abort.abort();
    scope.reset();
  }
}

const GiB = 1024 ** 3;

/** One line per finding, then a summary line per tenant. */
export function formatReports(reports: readonly VerifyReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    for (const f of r.findings) {
      const where = [
        f.recordingId && `recording ${f.recordingId}`,
        f.segmentId && `segment ${f.segmentId}`,
        f.key,
      ]
        .filter(Boolean)
        .join(', ');
      lines.push(`${isFailure(f) ? 'FAIL' : 'WARN'} ${r.tenant}: ${f.problem}: ${where}: ${f.message}`);
    }
    const failures = r.findings.filter(isFailure).length;
    lines.push(
      `${failures ? 'FAIL' : 'ok  '} ${r.tenant}: ${r.segments} segment(s) of ${r.recordings} recording(s), ${(r.bytes / GiB).toFixed(2)} GiB read, ${r.manifests} manifest(s); ${failures} problem(s), ${r.findings.length - failures} warning(s)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface VerifyCliOptions extends VerifyOptions {
  file?: string;
  json?: boolean;
  out?: { write(text: string): void };
}

/**
 * `deskrec-host verify`: exit 0 when every stored file and manifest proves as recorded, 1 on any problem.
 * With the embedded database the host must be stopped first (it holds the database).
 */
export async function runVerifyCli(options: VerifyCliOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const config = loadConfig(options.file ? { file: options.file } : {});
  const handle = await openCliDatabase(config);
  try {
    const reports = await verifyRecordings(config, handle.db, options);
    out.write(options.json ? `${JSON.stringify({ tenants: reports }, null, 2)}\n` : formatReports(reports));
    return reports.some((r) => r.findings.some(isFailure)) ? 1 : 0;
  } finally {
    await handle.close();
  }
}
