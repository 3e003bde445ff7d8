import { Hono } from 'hono';
import type { RetentionPolicy } from '../../db/repos/retention-policies.js';
import type { StorageTargetRecord } from '../../db/repos/storage-targets.js';
import { DEFAULT_TARGET_ID } from '../../storage/target-resolver.js';
import { apiError, callApi } from '../api-call.js';
import { Field } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash } from '../flash.js';
import { readForm } from '../form.js';
import type { PortalEnv } from '../session.js';

/** The settings page's retention section: the tenant's policies, a form for a new one, the audit export. */
export function RetentionSettings(props: {
  policies: RetentionPolicy[];
  targets: StorageTargetRecord[];
  users: { id: string; name: string }[];
}) {
  const targetName = (id: string | null) =>
    id === DEFAULT_TARGET_ID ? 'Built-in local folder' : (props.targets.find((t) => t.id === id)?.name ?? id);
  const userNames = (ids: string[]) =>
    ids.length ? ids.map((id) => props.users.find((u) => u.id === id)?.name ?? id).join(', ') : 'Every user';
  return (
    <section class="panel" aria-labelledby="retention-h">
      <h2 class="section" id="retention-h">
        Retention
      </h2>
      <p>
        Recordings older than a policy’s days are deleted, or moved to another storage target, within the
        hour. Calls on legal hold are never deleted or moved. Every deletion and move is in the audit log.
      </p>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Retention policies</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Action</th>
              <th scope="col">After</th>
              <th scope="col">Users</th>
              <th scope="col">
                <span class="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.policies.length === 0 ? (
              <tr>
                <td colspan={5} class="empty">
                  No retention policy: recordings are kept until deleted by hand.
                </td>
              </tr>
            ) : (
              props.policies.map((p) => (
                <tr id={`policy-${p.id}`}>
                  <td>{p.name}</td>
                  <td>{p.action === 'delete' ? 'Delete' : `Move to ${targetName(p.targetId)}`}</td>
                  <td>{`${p.afterDays} days`}</td>
                  <td>{userNames(p.userIds)}</td>
                  <td>
                    <form
                      method="post"
                      action={`/admin/settings/retention/${encodeURIComponent(p.id)}/delete`}
                    >
                      <button class="btn danger small" type="submit">
                        Remove
                      </button>
                    </form>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <form method="post" action="/admin/settings/retention">
        <h3>New policy</h3>
        <Field id="r-name" label="Name">
          <input id="r-name" name="name" type="text" required maxlength={200} />
        </Field>
        <Field id="r-action" label="Action" help="Move needs the storage target to move to.">
          <select id="r-action" name="action" aria-describedby="r-action-help">
            <option value="delete">Delete</option>
            <option value="move">Move to another storage target</option>
          </select>
        </Field>
        <Field id="r-afterDays" label="After (days since the recording started)">
          <input
            id="r-afterDays"
            name="afterDays"
            type="number"
            min="1"
            max="36500"
            required
            style="max-width:10rem"
          />
        </Field>
        <Field id="r-targetId" label="Move to">
          <select id="r-targetId" name="targetId">
            <option value="">—</option>
            <option value={DEFAULT_TARGET_ID}>Built-in local folder</option>
            {props.targets.map((t) => (
              <option value={t.id}>{`${t.name} (${t.kind})`}</option>
            ))}
          </select>
        </Field>
        <Field id="r-userIds" label="Users" help="None selected: every user’s recordings.">
          <select id="r-userIds" name="userIds" multiple aria-describedby="r-userIds-help">
            {props.users.map((u) => (
              <option value={u.id}>{u.name}</option>
            ))}
          </select>
        </Field>
        <button class="btn primary" type="submit">
          Add policy
        </button>
      </form>
      <h3>Audit log export</h3>
      <p class="row">
        <a class="btn" href="/api/audit-log/export?format=csv">
          Download CSV
        </a>
        <a class="btn" href="/api/audit-log/export?format=json">
          Download JSON
        </a>
      </p>
    </section>
  );
}

export function retentionSettingsRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  app.post('/admin/settings/retention', async (c) => {
    const form = await readForm(c);
    const action = form.get('action') ?? '';
    const days = (form.get('afterDays') ?? '').trim();
    const result = await callApi(c, deps, 'POST', '/retention-policies', {
      name: form.get('name') ?? '',
      action,
      afterDays: Number.isFinite(Number(days)) && days !== '' ? Number(days) : days,
      targetId: action === 'move' ? form.get('targetId') || null : null,
      userIds: form.all('userIds'),
    });
    const error = apiError(result);
    setFlash(
      c,
      error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'Retention policy added.' },
    );
    return c.redirect('/admin/settings#retention-h', 303);
  });

  app.post('/admin/settings/retention/:id/delete', async (c) => {
    const result = await callApi(
      c,
      deps,
      'DELETE',
      `/retention-policies/${encodeURIComponent(c.req.param('id'))}`,
    );
    const error = apiError(result);
    setFlash(
      c,
      error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'Retention policy removed.' },
    );
    return c.redirect('/admin/settings#retention-h', 303);
  });
  return app;
}
