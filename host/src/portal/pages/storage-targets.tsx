import type { PluginManifest } from '@deskrec/core';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { StorageTargetRecord } from '../../db/repos/storage-targets.js';
import { apiError, callApi } from '../api-call.js';
import { Badge, described, Field, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import { readSchemaForm, SchemaFields, type SchemaNode } from '../schema-form.js';
import type { PortalEnv } from '../session.js';

const crumbs = ['Administration', 'Storage', 'Storage targets'];

function schemaOf(manifest: PluginManifest<'storage'>): SchemaNode {
  return z.toJSONSchema(manifest.options, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
}

/** Every problem with the options, keyed by dotted option path, in the plugin schema's words. */
function optionErrors(
  manifest: PluginManifest<'storage'>,
  options: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of manifest.options.safeParse(options).error?.issues ?? []) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') continue;
    errors[path || '_'] ??=
      issue.message === 'Invalid input: expected string, received undefined' ? 'Required' : issue.message;
  }
  return errors;
}

/** Non-secret options worth showing in the list: where the files go. */
function summary(target: StorageTargetRecord, manifest: PluginManifest<'storage'> | undefined): string {
  if (!manifest) return 'Its storage kind is not offered by this host any more';
  const secrets = new Set(manifest.secrets ?? []);
  const keys = ['host', 'bucket', 'endpoint', 'root', 'prefix'].filter(
    (k) => !secrets.has(k) && typeof target.options[k] === 'string' && target.options[k] !== '',
  );
  return keys.map((k) => `${k}: ${String(target.options[k])}`).join(' · ') || '—';
}

interface EditorProps {
  kind: string;
  manifest: PluginManifest<'storage'>;
  name: string;
  values: Record<string, unknown>;
  errors: Record<string, string>;
  action: string;
  editing: boolean;
}

function Editor(props: EditorProps) {
  const schema = schemaOf(props.manifest);
  const nameHelp = 'A name admins recognise, e.g. “SFTP archive 1”. Shown in the screen recording settings.';
  return (
    <form class="panel" method="post" action={props.action} novalidate>
      <input type="hidden" name="kind" value={props.kind} />
      {Object.keys(props.errors).length ? (
        <div class="notice error" role="alert">
          {props.errors._ ?? 'Some options are not valid; see the messages below.'}
        </div>
      ) : null}
      <p class="muted">
        Kind: <strong>{props.manifest.title}</strong> <span class="mono">({props.kind})</span>
      </p>
      <Field id="t-name" label="Name *" help={nameHelp} error={props.errors.name}>
        <input
          id="t-name"
          name="name"
          type="text"
          value={props.name}
          required
          {...described('t-name', nameHelp, props.errors.name)}
        />
      </Field>
      <fieldset>
        <legend>Options</legend>
        <SchemaFields
          schema={schema}
          values={props.values}
          errors={props.errors}
          secrets={new Set(props.manifest.secrets ?? [])}
          editing={props.editing}
        />
      </fieldset>
      <div class="row">
        <button class="btn primary" type="submit">
          Save
        </button>
        <a class="btn" href="/admin/storage-targets">
          Cancel
        </a>
      </div>
    </form>
  );
}

export function storageTargetRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  const notFound = (c: Context<PortalEnv>, what = 'There is no such storage target.') => {
    c.status(404);
    return c.html(
      <Page title="Not found" session={c.get('session')} nav="storage" crumbs={crumbs}>
        <div class="panel">
          <p>{what}</p>
          <a class="btn" href="/admin/storage-targets">
            Back to storage targets
          </a>
        </div>
      </Page>,
    );
  };

  app.get('/admin/storage-targets', async (c) => {
    const session = c.get('session');
    const [targets, settings] = await Promise.all([
      deps.repos.storageTargets.list(session.tenantId),
      deps.repos.settings.get(session.tenantId),
    ]);
    return c.html(
      <Page title="Storage targets" session={session} nav="storage" crumbs={crumbs} flash={takeFlash(c)}>
        <p class="muted">
          Finished screen recordings are moved from the host to the storage target chosen in the screen
          recording settings. Files are read back from it for playback.
        </p>
        <div id="test-result" class="notice" hidden role="status" aria-live="polite" />
        <form class="toolbar" method="get" action="/admin/storage-targets/new">
          <label for="new-kind" class="sr-only">
            Kind of the new storage target
          </label>
          <select id="new-kind" name="kind">
            {[...deps.storageKinds].map(([kind, m]) => (
              <option value={kind}>{m.title}</option>
            ))}
          </select>
          <button class="btn primary" type="submit">
            Add storage target
          </button>
        </form>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Storage targets</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Location</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {targets.length === 0 ? (
                <tr>
                  <td colspan={5} class="empty">
                    No storage targets yet; recordings stay in the host’s data folder until you add one and
                    choose it in the settings.
                  </td>
                </tr>
              ) : (
                targets.map((t) => (
                  <tr>
                    <td>
                      <a href={`/admin/storage-targets/${encodeURIComponent(t.id)}`}>{t.name}</a>{' '}
                      {settings.storageTargetId === t.id ? <Badge tone="ok">In use</Badge> : null}
                    </td>
                    <td>{deps.storageKinds.get(t.kind)?.title ?? t.kind}</td>
                    <td class="mono">{summary(t, deps.storageKinds.get(t.kind))}</td>
                    <td>
                      <LocalTime at={t.updatedAt} />
                    </td>
                    <td>
                      <form
                        method="post"
                        action={`/admin/storage-targets/${encodeURIComponent(t.id)}/test`}
                        data-test-connection="test-result"
                      >
                        <button class="btn small" type="submit">
                          Test connection
                        </button>
                      </form>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </Page>,
    );
  });

  app.get('/admin/storage-targets/new', (c) => {
    const kind = c.req.query('kind') ?? '';
    const manifest = deps.storageKinds.get(kind);
    if (!manifest) return notFound(c, `The storage kind “${kind}” is not offered by this host.`);
    return c.html(
      <Page title="Add storage target" session={c.get('session')} nav="storage" crumbs={[...crumbs, 'Add']}>
        <Editor
          kind={kind}
          manifest={manifest}
          name=""
          values={{}}
          errors={{}}
          action="/admin/storage-targets/new"
          editing={false}
        />
      </Page>,
    );
  });

  app.post('/admin/storage-targets/new', async (c) => {
    const form = await readForm(c);
    const kind = form.get('kind') ?? '';
    const manifest = deps.storageKinds.get(kind);
    if (!manifest) return notFound(c, `The storage kind “${kind}” is not offered by this host.`);
    const name = form.get('name')?.trim() ?? '';
    const options = readSchemaForm(schemaOf(manifest), form);
    const errors = optionErrors(manifest, options);
    if (!name) errors.name = 'Enter a name';
    if (!Object.keys(errors).length) {
      const result = await callApi(c, deps, 'POST', '/storage-targets', { name, kind, options });
      const error = apiError(result);
      if (!error) {
        setFlash(c, { kind: 'ok', text: `Storage target ${name} added. Use “Test connection” to check it.` });
        return c.redirect('/admin/storage-targets', 303);
      }
      errors[error.field === 'name' ? 'name' : '_'] = error.message;
    }
    c.status(400);
    const shown = Object.fromEntries(
      Object.entries(options).filter(([k]) => !(manifest.secrets ?? []).includes(k)),
    );
    return c.html(
      <Page title="Add storage target" session={c.get('session')} nav="storage" crumbs={[...crumbs, 'Add']}>
        <Editor
          kind={kind}
          manifest={manifest}
          name={name}
          values={shown}
          errors={errors}
          action="/admin/storage-targets/new"
          editing={false}
        />
      </Page>,
    );
  });

  const editPage = (
    c: Context<PortalEnv>,
    target: StorageTargetRecord,
    manifest: PluginManifest<'storage'>,
    name: string,
    values: Record<string, unknown>,
    errors: Record<string, string>,
  ) => {
    const id = encodeURIComponent(target.id);
    return c.html(
      <Page
        title={`Edit ${target.name}`}
        session={c.get('session')}
        nav="storage"
        crumbs={[...crumbs, 'Edit']}
        flash={takeFlash(c)}
      >
        <div id="test-result" class="notice" hidden role="status" aria-live="polite" />
        <Editor
          kind={target.kind}
          manifest={manifest}
          name={name}
          values={values}
          errors={errors}
          action={`/admin/storage-targets/${id}`}
          editing
        />
        <div class="row">
          <form method="post" action={`/admin/storage-targets/${id}/test`} data-test-connection="test-result">
            <button class="btn" type="submit">
              Test connection
            </button>
          </form>
          <form
            method="post"
            action={`/admin/storage-targets/${id}/delete`}
            data-confirm="Delete this storage target? Files already stored there stay where they are but can no longer be played from here."
          >
            <button class="btn danger" type="submit">
              Delete
            </button>
          </form>
        </div>
      </Page>,
    );
  };

  app.get('/admin/storage-targets/:id', async (c) => {
    const target = await deps.repos.storageTargets.get(c.get('session').tenantId, c.req.param('id'));
    if (!target) return notFound(c);
    const manifest = deps.storageKinds.get(target.kind);
    if (!manifest)
      return notFound(
        c,
        `The storage kind “${target.kind}” of this target is not offered by this host any more.`,
      );
    const secrets = new Set(manifest.secrets ?? []);
    const values = Object.fromEntries(Object.entries(target.options).filter(([k]) => !secrets.has(k)));
    return editPage(c, target, manifest, target.name, values, {});
  });

  app.post('/admin/storage-targets/:id', async (c) => {
    const target = await deps.repos.storageTargets.get(c.get('session').tenantId, c.req.param('id'));
    if (!target) return notFound(c);
    const manifest = deps.storageKinds.get(target.kind);
    if (!manifest) return notFound(c);
    const form = await readForm(c);
    const name = form.get('name')?.trim() ?? '';
    const options = readSchemaForm(schemaOf(manifest), form);
    const secrets = manifest.secrets ?? [];
    // Blank secrets keep the stored value: check the options as they will be saved.
    const merged = { ...options };
    for (const key of secrets)
      if (merged[key] === undefined && target.options[key] !== undefined) merged[key] = target.options[key];
    const errors = optionErrors(manifest, merged);
    if (!name) errors.name = 'Enter a name';
    if (!Object.keys(errors).length) {
      const result = await callApi(c, deps, 'PUT', `/storage-targets/${encodeURIComponent(target.id)}`, {
        name,
        options,
      });
      const error = apiError(result);
      if (!error) {
        setFlash(c, { kind: 'ok', text: `Storage target ${name} saved.` });
        return c.redirect('/admin/storage-targets', 303);
      }
      errors[error.field === 'name' ? 'name' : '_'] = error.message;
    }
    c.status(400);
    const shown = Object.fromEntries(Object.entries(options).filter(([k]) => !secrets.includes(k)));
    return editPage(c, target, manifest, name, shown, errors);
  });

  app.post('/admin/storage-targets/:id/delete', async (c) => {
    const result = await callApi(
      c,
      deps,
      'DELETE',
      `/storage-targets/${encodeURIComponent(c.req.param('id'))}`,
    );
    const error = apiError(result);
    setFlash(
      c,
      error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'Storage target deleted.' },
    );
    return c.redirect('/admin/storage-targets', 303);
  });

  app.post('/admin/storage-targets/:id/test', async (c) => {
    const result = await callApi(
      c,
      deps,
      'POST',
      `/storage-targets/${encodeURIComponent(c.req.param('id'))}/test`,
    );
    const error = apiError(result);
    const outcome = error
      ? { ok: false, message: error.message }
      : (result.body as { ok: boolean; message: string });
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json(outcome);
    setFlash(c, { kind: outcome.ok ? 'ok' : 'error', text: outcome.message });
    return c.redirect(`/admin/storage-targets/${encodeURIComponent(c.req.param('id'))}`, 303);
  });
  return app;
}
