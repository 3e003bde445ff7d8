import { type ScreenRecordingSettings, ScreenRecordingSettingsSchema } from '@deskrec/core';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { apiError, callApi, fieldErrors } from '../api-call.js';
import { described, Field } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';
import { HostSettings } from './settings-host.js';
import { RetentionSettings } from './settings-retention.js';

type Key = keyof ScreenRecordingSettings;
type NumberKey =
  | 'fps'
  | 'wrapUpSeconds'
  | 'maxRecordingSeconds'
  | 'maxFileSeconds'
  | 'maxWidth'
  | 'maxHeight'
  | 'bitrateKbps';

/** Help texts, in the portal's own words; bounds come from core's schema. */
const HELP: Record<Key, string> = {
  storageTargetId:
    'Where finished screen recordings are kept. Without a choice they stay in the host’s data folder. Add FTP, SFTP or S3 targets under Storage targets.',
  storageHostUrl:
    'The address agents send their recordings to, as seen from the workstations. Leave empty to use the address the agent already talks to. A separate upload server can take this traffic in larger set-ups.',
  fileNameFormat:
    'How stored files are named. Parts like %{start-time#%Y%m%d} or %{recording-id} are filled in for each file; a / starts a sub-folder.',
  fps: 'How many pictures of the screen are taken each second. 1–5 is plenty for forms and text; more makes larger files.',
  wrapUpSeconds:
    'Keep recording this many seconds after the call ends, to capture the notes an agent types afterwards. 0 stops with the call.',
  maxRecordingSeconds:
    'A recording is stopped after this long even if the call goes on. Set it above your longest calls.',
  maxFileSeconds:
    'Long recordings are cut into files of at most this length, so parts can be uploaded and played while the rest is still on its way.',
  multiMonitor: 'Whether to record only the main monitor, or every monitor of the workstation.',
  maxWidth: 'Wider screens are scaled down to this width before encoding (per monitor).',
  maxHeight: 'Taller screens are scaled down to this height before encoding (per monitor).',
  bitrateKbps:
    'Upper limit of the video data rate. Lower gives smaller files and blurrier text; quiet screens use much less than the limit.',
};

const LABEL: Record<Key, string> = {
  storageTargetId: 'Storage target',
  storageHostUrl: 'Storage host URL',
  fileNameFormat: 'File name format',
  fps: 'Capture rate',
  wrapUpSeconds: 'Wrap-up time',
  maxRecordingSeconds: 'Maximum recording duration',
  maxFileSeconds: 'Maximum file duration',
  multiMonitor: 'Monitors',
  maxWidth: 'Maximum image width',
  maxHeight: 'Maximum image height',
  bitrateKbps: 'Video bit rate',
};

const UNIT: Record<NumberKey, string> = {
  fps: 'frames per second',
  wrapUpSeconds: 'seconds',
  maxRecordingSeconds: 'seconds',
  maxFileSeconds: 'seconds',
  maxWidth: 'pixels',
  maxHeight: 'pixels',
  bitrateKbps: 'kbit/s',
};

const JSON_SCHEMA = z.toJSONSchema(ScreenRecordingSettingsSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as {
  properties: Record<string, { minimum?: number; maximum?: number; type?: string }>;
};

type FormValues = Record<Key, string>;

function valuesOf(s: ScreenRecordingSettings): FormValues {
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, v === null ? '' : String(v)]),
  ) as FormValues;
}

/** Form strings → settings input: blank numbers and a blank file name format take their default, anything else goes to the schema as typed. */
function inputOf(v: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {
    storageTargetId: v.storageTargetId || null,
    storageHostUrl: v.storageHostUrl.trim(),
    multiMonitor: v.multiMonitor,
  };
  if (v.fileNameFormat.trim() !== '') out.fileNameFormat = v.fileNameFormat;
  for (const key of Object.keys(UNIT) as NumberKey[]) {
    const raw = v[key].trim();
    if (raw !== '') out[key] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** Every problem of the form, by field, in the words of core's schema. */
function validate(input: Record<string, unknown>): Record<string, string> {
  const parsed = ScreenRecordingSettingsSchema.strict().safeParse(input);
  const errors: Record<string, string> = {};
  for (const issue of parsed.error?.issues ?? []) {
    const key = String(issue.path[0] ?? '_');
    errors[key] ??= issue.message;
  }
  return errors;
}

export function settingsRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const crumbs = ['Administration', 'Screen recording', 'Settings'];

  const render = async (c: Context<PortalEnv>, values: FormValues, errors: Record<string, string>) => {
    const session = c.get('session');
    const [targets, tenant, saved] = await Promise.all([
      deps.repos.storageTargets.list(session.tenantId),
      deps.repos.tenants.get(session.tenantId),
      deps.repos.settings.get(session.tenantId),
    ]);
    const host = (saved.storageHostUrl || deps.publicUrl || new URL(c.req.url).origin).replace(/\/$/, '');
    const current = targets.find((t) => t.id === saved.storageTargetId);
    const numberField = (key: NumberKey, step = '1') => {
      const bounds = JSON_SCHEMA.properties[key] ?? {};
      const help = `${HELP[key]} Allowed: ${bounds.minimum} to ${bounds.maximum}.`;
      return (
        <Field id={`s-${key}`} label={LABEL[key]} help={help} error={errors[key]}>
          <div>
            <input
              id={`s-${key}`}
              name={key}
              type="number"
              inputmode="decimal"
              step={step}
              min={String(bounds.minimum)}
              max={String(bounds.maximum)}
              value={values[key]}
              style="max-width:10rem"
              {...described(`s-${key}`, help, errors[key])}
            />
            <span class="unit">{UNIT[key]}</span>
          </div>
        </Field>
      );
    };
    return c.html(
      <Page
        title="Screen recording settings"
        session={session}
        nav="settings"
        crumbs={crumbs}
        flash={takeFlash(c)}
      >
        <section class="panel" aria-labelledby="token-h">
          <h2 class="section" id="token-h">
            Screen recording token
          </h2>
          <p>
            Agents present this token when they first connect; it places them in this tenant as pending
            workstations. Only its first characters are kept readable:
          </p>
          <p>
            <span class="token">{tenant?.token_hint ?? '—'}</span>{' '}
            <a class="btn danger small" href="/admin/settings/token">
              Reset token…
            </a>
          </p>
          <h2 class="section">Storage</h2>
          <dl class="dl">
            <dt>Storage upload URL</dt>
            <dd class="mono">{`${host}${deps.uploadPath}`}</dd>
            <dt>Storage target</dt>
            <dd>
              {current
                ? `${current.name} (${current.kind})`
                : 'Built-in local folder in the host’s data folder'}
            </dd>
          </dl>
        </section>
        <form class="panel" method="post" action="/admin/settings" novalidate>
          {Object.keys(errors).length ? (
            <div class="notice error" role="alert">
              {errors._ ?? 'Some settings are not valid; see the messages below.'}
            </div>
          ) : null}
          <h2 class="section">Storage settings</h2>
          <Field
            id="s-storageTargetId"
            label={LABEL.storageTargetId}
            help={HELP.storageTargetId}
            error={errors.storageTargetId}
          >
            <select
              id="s-storageTargetId"
              name="storageTargetId"
              {...described('s-storageTargetId', HELP.storageTargetId, errors.storageTargetId)}
            >
              <option value="">Built-in local folder</option>
              {targets.map((t) => (
                <option value={t.id} selected={values.storageTargetId === t.id}>
                  {`${t.name} (${t.kind})`}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="s-storageHostUrl"
            label={LABEL.storageHostUrl}
            help={HELP.storageHostUrl}
            error={errors.storageHostUrl}
          >
            <input
              id="s-storageHostUrl"
              name="storageHostUrl"
              type="url"
              value={values.storageHostUrl}
              placeholder="https://recorder.example.com"
              {...described('s-storageHostUrl', HELP.storageHostUrl, errors.storageHostUrl)}
            />
          </Field>
          <Field
            id="s-fileNameFormat"
            label={LABEL.fileNameFormat}
            help={HELP.fileNameFormat}
            error={errors.fileNameFormat}
          >
            <input
              id="s-fileNameFormat"
              name="fileNameFormat"
              type="text"
              class="mono"
              spellcheck={false}
              value={values.fileNameFormat}
              style="max-width:40rem"
              {...described('s-fileNameFormat', HELP.fileNameFormat, errors.fileNameFormat)}
            />
          </Field>
          <h2 class="section">Recording settings</h2>
          {numberField('fps', '0.1')}
          {numberField('wrapUpSeconds')}
          {numberField('maxRecordingSeconds')}
          {numberField('maxFileSeconds')}
          <fieldset aria-describedby="s-multiMonitor-help">
            <legend>{LABEL.multiMonitor}</legend>
            <label class="check">
              <input
                type="radio"
                name="multiMonitor"
                value="primary"
                checked={values.multiMonitor !== 'all'}
              />
              Record the primary monitor only
            </label>
            <label class="check">
              <input type="radio" name="multiMonitor" value="all" checked={values.multiMonitor === 'all'} />
              Record all monitors
            </label>
            <p class="help" id="s-multiMonitor-help">
              {HELP.multiMonitor}
            </p>
            {errors.multiMonitor ? <p class="error">{errors.multiMonitor}</p> : null}
          </fieldset>
          {numberField('maxWidth')}
          {numberField('maxHeight')}
          {numberField('bitrateKbps')}
          <div class="row">
            <button class="btn primary" type="submit">
              Save settings
            </button>
            <a class="btn" href="/admin/settings">
              Discard changes
            </a>
          </div>
        </form>
        <RetentionSettings
          policies={await deps.repos.retentionPolicies.list(session.tenantId)}
          targets={targets}
          users={await deps.repos.users.all(session.tenantId)}
        />
        <HostSettings deps={deps} />
      </Page>,
    );
  };

  app.get('/admin/settings', async (c) =>
    render(c, valuesOf(await deps.repos.settings.get(c.get('session').tenantId)), {}),
  );

  app.post('/admin/settings', async (c) => {
    const form = await readForm(c);
    const values = Object.fromEntries(
      (Object.keys(LABEL) as Key[]).map((k) => [k, form.get(k) ?? '']),
    ) as FormValues;
    const input = inputOf(values);
    const errors = validate(input);
    if (Object.keys(errors).length === 0) {
      const result = await callApi(c, deps, 'PUT', '/settings', input);
      const error = apiError(result);
      if (!error) {
        setFlash(c, { kind: 'ok', text: 'Settings saved. Connected agents received them.' });
        return c.redirect('/admin/settings', 303);
      }
      Object.assign(errors, fieldErrors(error));
    }
    c.status(400);
    return render(c, values, errors);
  });

  app.get('/admin/settings/token', (c) =>
    c.html(
      <Page
        title="Reset the screen recording token"
        session={c.get('session')}
        nav="settings"
        crumbs={[...crumbs, 'Token']}
      >
        <div class="panel">
          <div class="notice warn" role="note">
            The current token stops admitting new workstations at once. Agents installed from now on need the
            new token, which is shown a single time after the reset.
          </div>
          <form method="post" action="/admin/settings/token" class="row">
            <button class="btn danger" type="submit">
              Yes, reset the token
            </button>
            <a class="btn" href="/admin/settings">
              Cancel
            </a>
          </form>
        </div>
      </Page>,
    ),
  );

  app.post('/admin/settings/token', async (c) => {
    const result = await callApi(c, deps, 'POST', '/tenant/token/reset');
    const error = apiError(result);
    if (error) {
      setFlash(c, { kind: 'error', text: error.message });
      return c.redirect('/admin/settings', 303);
    }
    const { token } = result.body as { token: string };
    return c.html(
      <Page
        title="New screen recording token"
        session={c.get('session')}
        nav="settings"
        crumbs={[...crumbs, 'Token']}
      >
        <div class="panel">
          <div class="notice ok" role="status">
            The token was reset. Copy it now: it is shown this once and cannot be displayed again.
          </div>
          <p class="token" id="new-token">
            {token}
          </p>
          <div class="row">
            <button class="btn" type="button" data-copy="new-token">
              Copy
            </button>
            <a class="btn primary" href="/admin/settings">
              Done
            </a>
          </div>
        </div>
      </Page>,
    );
  });
  return app;
}
