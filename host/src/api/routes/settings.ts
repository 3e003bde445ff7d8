import { ScreenRecordingSettingsSchema } from '@deskrec/core';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { commonErrors, jsonBody, jsonOk, security } from './common.js';

const SettingsSchema = ScreenRecordingSettingsSchema.strict();

export function settingsRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const tags = ['settings'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      tags,
      security,
      summary: 'Screen-recording settings of the tenant (defaults filled in)',
      responses: { 200: jsonOk(ScreenRecordingSettingsSchema, 'Settings'), ...commonErrors },
    }),
    async (c) => c.json(await deps.repos.settings.get(c.get('session').tenantId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/settings',
      tags,
      security,
      summary: 'Replaces the settings; omitted fields take their defaults; connected agents get them at once',
      request: { body: jsonBody(SettingsSchema) },
      responses: { 200: jsonOk(ScreenRecordingSettingsSchema, 'Saved settings'), ...commonErrors },
    }),
    async (c) => {
      const s = c.get('session');
      const settings = c.req.valid('json');
      if (
        settings.storageTargetId &&
        !(await deps.repos.storageTargets.get(s.tenantId, settings.storageTargetId))
      ) {
        throw new ApiError(400, 'invalid', 'storageTargetId: no such storage target', 'storageTargetId');
      }
      await deps.repos.settings.put(s.tenantId, settings);
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'settings.update',
        targetType: 'settings',
        targetId: null,
        detail: settings,
        ip: c.get('ip'),
      });
      // Agents keep recording with the old settings if the push fails; they get the new ones on reconnect.
      await deps.hooks.channel
        ?.pushSettings(s.tenantId)
        .catch((error: unknown) =>
          deps.logger.warn({ err: String(error) }, 'Could not push settings to agents'),
        );
      return c.json(settings, 200);
    },
  );
  return app;
}
