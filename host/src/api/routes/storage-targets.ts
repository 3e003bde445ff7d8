import { mkdir } from 'node:fs/promises';
import {
  instantiatePlugin,
  PluginLoadError,
  type PluginManifest,
  redactSecrets,
  type StorageTarget,
  validatePluginOptions,
} from '@deskrec/core';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { StorageTargetRecord } from '../../db/repos/storage-targets.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import {
  commonErrors,
  conflictResponse,
  IdParamSchema,
  jsonBody,
  jsonOk,
  notFoundResponse,
  security,
} from './common.js';

const REDACTED = '********';
const CHECK_TIMEOUT_MS = 30_000;

const OptionsSchema = z
  .record(z.string(), z.unknown())
  .describe('Options of the storage kind; see /storage-kinds');

const CreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    kind: z.string().min(1).max(64).describe('One of the storage kinds this host offers'),
    options: OptionsSchema,
  })
  .openapi('StorageTargetCreate');

const UpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    options: OptionsSchema.describe('Secrets left out or sent as "********" keep their stored value'),
  })
  .openapi('StorageTargetUpdate');

const TargetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    options: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('StorageTarget');

const KindSchema = z.object({
  kind: z.string(),
  plugin: z.string(),
  version: z.string(),
  title: z.string(),
  secrets: z.array(z.string()),
  capabilities: z.record(z.string(), z.boolean()),
  optionsSchema: z.unknown(),
});

/** Validates options with the kind's schema (core's validatePluginOptions) and names the failing option. */
function validateOptions(manifest: PluginManifest, options: Record<string, unknown>): void {
  try {
    validatePluginOptions(manifest, options, 'options');
  } catch (error) {
    if (!(error instanceof PluginLoadError)) throw error;
    const first = manifest.options.safeParse(options).error?.issues[0];
    const field = ['options', ...(first?.path ?? []).map(String)].join('.');
    throw new ApiError(400, 'invalid-options', error.message, field);
  }
}

export function storageTargetRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['storage'];

  const manifestOf = (kind: string, field = 'kind') => {
    const manifest = deps.storageKinds.get(kind);
    if (!manifest) {
      const offered = [...deps.storageKinds.keys()].join(', ') || 'none';
      throw new ApiError(
        400,
        'invalid',
        `kind: "${kind}" is not offered here; choose one of: ${offered}`,
        field,
      );
    }
    return manifest;
  };

  const toJson = (t: StorageTargetRecord) => {
    const manifest = deps.storageKinds.get(t.kind);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      // A kind removed from the config since: show no options rather than risk showing a secret.
      options: manifest ? redactSecrets(manifest, t.options) : {},
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/storage-kinds',
      tags,
      security,
      summary: 'Storage kinds offered by this host, with their option schemas',
      responses: { 200: jsonOk(z.object({ items: z.array(KindSchema) }), 'Kinds'), ...commonErrors },
    }),
    (c) =>
      c.json(
        {
          items: [...deps.storageKinds].map(([kind, m]) => ({
            kind,
            plugin: m.id,
            version: m.version,
            title: m.title,
            secrets: [...(m.secrets ?? [])],
            capabilities: { ...m.capabilities } as unknown as Record<string, boolean>,
            optionsSchema: z.toJSONSchema(m.options, { io: 'input', unrepresentable: 'any' }),
          })),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/storage-targets',
      tags,
      security,
      summary: 'Storage targets (secrets redacted)',
      responses: { 200: jsonOk(z.object({ items: z.array(TargetSchema) }), 'Targets'), ...commonErrors },
    }),
    async (c) => {
      const items = await deps.repos.storageTargets.list(c.get('session').tenantId);
      return c.json({ items: items.map(toJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/storage-targets',
      tags,
      security,
      summary: 'Creates a storage target; options are checked by the kind’s schema',
      request: { body: jsonBody(CreateSchema) },
      responses: { 201: jsonOk(TargetSchema, 'Created'), ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const body = c.req.valid('json');
      validateOptions(manifestOf(body.kind), body.options);
      const target = await deps.repos.storageTargets.create(s.tenantId, body).catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') {
          throw new ApiError(409, 'conflict', `A storage target named "${body.name}" exists already`, 'name');
        }
        throw error;
      });
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'storage-target.create',
        targetType: 'storage-target',
        targetId: target.id,
        detail: { name: target.name, kind: target.kind },
        ip: c.get('ip'),
      });
      return c.json(toJson(target), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/storage-targets/{id}',
      tags,
      security,
      summary: 'One storage target (secrets redacted)',
      request: { params: IdParamSchema },
      responses: { 200: jsonOk(TargetSchema, 'The target'), ...commonErrors, ...notFoundResponse },
    }),
    async (c) => {
      const target = await deps.repos.storageTargets.get(c.get('session').tenantId, c.req.valid('param').id);
      if (!target) throw notFound('Storage target');
      return c.json(toJson(target), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/storage-targets/{id}',
      tags,
      security,
      summary: 'Updates name and options; omitted or "********" secrets keep their stored value',
      request: { params: IdParamSchema, body: jsonBody(UpdateSchema) },
      responses: {
        200: jsonOk(TargetSchema, 'Updated'),
        ...commonErrors,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const existing = await deps.repos.storageTargets.get(s.tenantId, id);
      if (!existing) throw notFound('Storage target');
      const manifest = manifestOf(existing.kind);
      const options = { ...body.options };
      for (const key of manifest.secrets ?? []) {
        if (options[key] === undefined || options[key] === REDACTED) {
          if (existing.options[key] === undefined) delete options[key];
          else options[key] = existing.options[key];
        }
      }
      validateOptions(manifest, options);
      const target = await deps.repos.storageTargets
        .update(s.tenantId, id, { name: body.name, options })
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === '23505') {
            throw new ApiError(
              409,
              'conflict',
              `A storage target named "${body.name}" exists already`,
              'name',
            );
          }
          throw error;
        });
      if (!target) throw notFound('Storage target');
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'storage-target.update',
        targetType: 'storage-target',
        targetId: id,
        detail: { name: target.name },
        ip: c.get('ip'),
      });
      return c.json(toJson(target), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/storage-targets/{id}',
      tags,
      security,
      summary: 'Deletes a storage target that the settings do not use',
      request: { params: IdParamSchema },
      responses: {
        204: { description: 'Deleted' },
        ...commonErrors,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const { id } = c.req.valid('param');
      if (!(await deps.repos.storageTargets.get(s.tenantId, id))) throw notFound('Storage target');
      if ((await deps.repos.settings.get(s.tenantId)).storageTargetId === id) {
        throw new ApiError(
          409,
          'in-use',
          'The screen-recording settings use this storage target; choose another first',
        );
      }
      await deps.repos.storageTargets.delete(s.tenantId, id);
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'storage-target.delete',
        targetType: 'storage-target',
        targetId: id,
        ip: c.get('ip'),
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/storage-targets/{id}/test',
      tags,
      security,
      summary: 'Connects to the target, writes and deletes a probe; answers in one line',
      request: { params: IdParamSchema },
      responses: {
        200: jsonOk(z.object({ ok: z.boolean(), message: z.string() }), 'Result of the check'),
        ...commonErrors,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const target = await deps.repos.storageTargets.get(s.tenantId, c.req.valid('param').id);
      if (!target) throw notFound('Storage target');
      const manifest = manifestOf(target.kind);
      const dataDir = `${deps.dataDir}/storage-check/${target.id}`;
      await mkdir(dataDir, { recursive: true });
      const abort = new AbortController();
      let instance: StorageTarget | undefined;
      try {
        instance = await instantiatePlugin(
          manifest as PluginManifest<'storage'>,
          target.options,
          {
            logger: deps.logger.child({ plugin: manifest.id, storageTarget: target.id }),
            clock: deps.clock,
            instanceId: target.id,
            dataDir,
            signal: abort.signal,
          },
          `storage target "${target.name}"`,
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ ok: boolean; message: string }>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, message: `No answer within ${CHECK_TIMEOUT_MS / 1000} s` }),
            CHECK_TIMEOUT_MS,
          );
        });
        const result = await Promise.race([instance.check(), timeout]).finally(() => clearTimeout(timer));
        return c.json({ ok: result.ok, message: result.message }, 200);
      } catch (error) {
        return c.json({ ok: false, message: (error as Error).message }, 200);
      } finally {
        abort.abort();
        await instance?.close().catch(() => undefined);
      }
    },
  );
  return app;
}
