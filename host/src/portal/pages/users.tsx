import { type Context, Hono } from 'hono';
import type { UserView } from '../../db/repos/users.js';
import { apiError, callApi, fieldErrors } from '../api-call.js';
import { Badge, described, Field } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

interface UserForm {
  name: string;
  screenRecordingLogin: string;
  seatLicence: boolean;
  extensions: string;
  externalId: string;
}

const blank: UserForm = {
  name: '',
  screenRecordingLogin: '',
  seatLicence: false,
  extensions: '',
  externalId: '',
};

function formOf(u: UserView): UserForm {
  return {
    name: u.name,
    screenRecordingLogin: u.screenRecordingLogin ?? '',
    seatLicence: u.seatLicence,
    extensions: u.extensions.join(', '),
    externalId: u.externalId ?? '',
  };
}

/** The form as the API's user input: blank optional fields are null, extensions split on commas or spaces. */
function toApiBody(f: UserForm) {
  return {
    name: f.name,
    screenRecordingLogin: f.screenRecordingLogin.trim() || null,
    seatLicence: f.seatLicence,
    extensions: f.extensions.split(/[\s,;]+/).filter(Boolean),
    externalId: f.externalId.trim() || null,
  };
}

const HELP = {
  name: 'Shown in the calls list and on call pages.',
  screenRecordingLogin:
    'The Windows account this person signs in to their workstation with: DOMAIN\\login, NETBIOS\\login or just login. Not case-sensitive. Their screen is recorded on whichever authorized workstation they are signed in to.',
  seatLicence: 'Only users holding a seat licence have their screen recorded during calls.',
  extensions:
    'Phone extensions of this user, separated by commas. Calls on these extensions are linked to the user.',
  externalId: 'The id the phone system uses for this person, if it reports calls by user id. Optional.',
};

function UserEditor(props: { action: string; form: UserForm; errors: Record<string, string>; id?: string }) {
  const { form, errors } = props;
  const text = (
    name: Exclude<keyof UserForm, 'seatLicence'>,
    label: string,
    extra: Record<string, unknown> = {},
  ) => (
    <Field id={`u-${name}`} label={label} help={HELP[name]} error={errors[name]}>
      <input
        id={`u-${name}`}
        name={name}
        type="text"
        value={form[name]}
        {...described(`u-${name}`, HELP[name], errors[name])}
        {...extra}
      />
    </Field>
  );
  return (
    <form class="panel" method="post" action={props.action} novalidate>
      {errors._ ? (
        <div class="notice error" role="alert">
          {errors._}
        </div>
      ) : null}
      {text('name', 'Name', { required: true, autocomplete: 'off' })}
      <h2 class="section">Recording settings</h2>
      {text('screenRecordingLogin', 'Screen recording login', {
        placeholder: 'CORP\\jsmith',
        spellcheck: false,
      })}
      {text('extensions', 'Extensions', { placeholder: '201, 202' })}
      {text('externalId', 'External id')}
      <h2 class="section">Licensing</h2>
      <div class="field">
        <label class="check" for="u-seatLicence">
          <input
            id="u-seatLicence"
            name="seatLicence"
            type="checkbox"
            value="1"
            checked={form.seatLicence}
            {...described('u-seatLicence', HELP.seatLicence, errors.seatLicence)}
          />
          Screen recording seat licence
        </label>
        <p class="help" id="u-seatLicence-help">
          {HELP.seatLicence}
        </p>
      </div>
      <div class="row">
        <button class="btn primary" type="submit">
          Save
        </button>
        <a class="btn" href="/admin/users">
          Cancel
        </a>
      </div>
    </form>
  );
}

async function readUserForm(c: Parameters<typeof readForm>[0]): Promise<UserForm> {
  const f = await readForm(c);
  return {
    name: f.get('name') ?? '',
    screenRecordingLogin: f.get('screenRecordingLogin') ?? '',
    seatLicence: f.has('seatLicence'),
    extensions: f.get('extensions') ?? '',
    externalId: f.get('externalId') ?? '',
  };
}

export function userRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const crumbs = ['Administration', 'Users'];

  app.get('/admin/users', async (c) => {
    const session = c.get('session');
    const search = c.req.query('search')?.trim().slice(0, 200) || undefined;
    const users = await deps.repos.users.list(session.tenantId, search);
    return c.html(
      <Page title="Users" session={session} nav="users" crumbs={crumbs} flash={takeFlash(c)}>
        <div class="toolbar">
          <form class="row" method="get" action="/admin/users">
            <label class="sr-only" for="user-search">
              Search users
            </label>
            <input
              id="user-search"
              type="search"
              name="search"
              value={search ?? ''}
              placeholder="Name or login"
              size={30}
            />
            <button class="btn" type="submit">
              Search
            </button>
          </form>
          <span class="spacer" />
          <a class="btn primary" href="/admin/users/new">
            Add user
          </a>
        </div>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Screen recording login</th>
                <th scope="col">Seat licence</th>
                <th scope="col">Extensions</th>
                <th scope="col">External id</th>
              </tr>
            </thead>
            <tbody>
              {users.length === 0 ? (
                <tr>
                  <td colspan={5} class="empty">
                    {search
                      ? 'No user matches the search.'
                      : 'No users yet. Add the agents whose screens are recorded.'}
                  </td>
                </tr>
              ) : (
                users.map((u) => (
                  <tr>
                    <td>
                      <a href={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name}</a>
                    </td>
                    <td class="mono">{u.screenRecordingLogin ?? '—'}</td>
                    <td>{u.seatLicence ? <Badge tone="ok">Licensed</Badge> : <Badge>None</Badge>}</td>
                    <td>{u.extensions.join(', ') || '—'}</td>
                    <td>{u.externalId ?? '—'}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </Page>,
    );
  });

  app.get('/admin/users/new', (c) =>
    c.html(
      <Page title="Add user" session={c.get('session')} nav="users" crumbs={[...crumbs, 'Add']}>
        <UserEditor action="/admin/users/new" form={blank} errors={{}} />
      </Page>,
    ),
  );

  app.post('/admin/users/new', async (c) => {
    const form = await readUserForm(c);
    const result = await callApi(c, deps, 'POST', '/users', toApiBody(form));
    const error = apiError(result);
    if (!error) {
      setFlash(c, { kind: 'ok', text: `User ${form.name.trim()} added.` });
      return c.redirect('/admin/users', 303);
    }
    c.status(result.status === 409 ? 409 : 400);
    return c.html(
      <Page title="Add user" session={c.get('session')} nav="users" crumbs={[...crumbs, 'Add']}>
        <UserEditor action="/admin/users/new" form={form} errors={fieldErrors(error)} />
      </Page>,
    );
  });

  const notFoundPage = (c: Context<PortalEnv>) => {
    c.status(404);
    return c.html(
      <Page title="User not found" session={c.get('session')} nav="users" crumbs={crumbs}>
        <div class="panel">
          <p>There is no such user.</p>
          <a class="btn" href="/admin/users">
            Back to users
          </a>
        </div>
      </Page>,
    );
  };

  const editPage = (c: Context<PortalEnv>, id: string, form: UserForm, errors: Record<string, string>) =>
    c.html(
      <Page
        title={`Edit ${form.name || 'user'}`}
        session={c.get('session')}
        nav="users"
        crumbs={[...crumbs, 'Edit']}
      >
        <UserEditor action={`/admin/users/${encodeURIComponent(id)}`} form={form} errors={errors} id={id} />
        <form
          method="post"
          action={`/admin/users/${encodeURIComponent(id)}/delete`}
          data-confirm="Delete this user? Their calls stay, without a user."
        >
          <button class="btn danger" type="submit">
            Delete user
          </button>
        </form>
      </Page>,
    );

  app.get('/admin/users/:id', async (c) => {
    const user = await deps.repos.users.get(c.get('session').tenantId, c.req.param('id'));
    if (!user) return notFoundPage(c);
    return editPage(c, user.id, formOf(user), {});
  });

  app.post('/admin/users/:id', async (c) => {
    const id = c.req.param('id');
    const form = await readUserForm(c);
    const result = await callApi(c, deps, 'PUT', `/users/${encodeURIComponent(id)}`, toApiBody(form));
    const error = apiError(result);
    if (!error) {
      setFlash(c, { kind: 'ok', text: `User ${form.name.trim()} saved.` });
      return c.redirect('/admin/users', 303);
    }
    if (result.status === 404) return notFoundPage(c);
    c.status(result.status === 409 ? 409 : 400);
    return editPage(c, id, form, fieldErrors(error));
  });

  app.post('/admin/users/:id/delete', async (c) => {
    const result = await callApi(c, deps, 'DELETE', `/users/${encodeURIComponent(c.req.param('id'))}`);
    const error = apiError(result);
    setFlash(c, error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'User deleted.' });
    return c.redirect('/admin/users', 303);
  });
  return app;
}
