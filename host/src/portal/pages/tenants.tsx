import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { TENANT_COOKIE } from '../../accounts/tenant-scope.js';
import { apiError, callApi, fieldErrors } from '../api-call.js';
import { Badge, described, Field, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  state: 'active' | 'suspended' | 'deleting' | 'archived';
  createdAt: string;
}

const TONE = { active: 'ok', suspended: 'warn', deleting: 'bad', archived: 'info' } as const;

const HELP = {
  slug: 'Lower-case letters, digits and hyphens. The tenant’s users type it at sign-in; it cannot be changed.',
  name: 'Shown to the tenant’s users.',
  username: 'The tenant’s first admin. Leave empty to add admins later while acting in the tenant.',
  password: 'At least 12 characters, not easy to guess.',
};

type CreateForm = { slug: string; name: string; username: string; password: string };

function CreateTenantForm(props: { form: CreateForm; errors: Record<string, string> }) {
  const { form, errors } = props;
  const input = (name: keyof CreateForm, label: string, type = 'text') => {
    const error = name === 'username' || name === 'password' ? (errors.admin ?? errors[name]) : errors[name];
    return (
      <Field id={`t-${name}`} label={label} help={HELP[name]} error={error}>
        <input
          id={`t-${name}`}
          name={name}
          type={type}
          value={type === 'password' ? '' : form[name]}
          autocomplete="off"
          {...described(`t-${name}`, HELP[name], error)}
        />
      </Field>
    );
  };
  return (
    <form class="panel" method="post" action="/admin/tenants" novalidate>
      <h2 class="section">New tenant</h2>
      {errors._ ? (
        <div class="notice error" role="alert">
          {errors._}
        </div>
      ) : null}
      {input('slug', 'Slug')}
      {input('name', 'Name')}
      {input('username', 'First admin’s username')}
      {input('password', 'First admin’s password', 'password')}
      <button class="btn primary" type="submit">
        Create tenant
      </button>
    </form>
  );
}

function TenantActions(props: { tenant: TenantRow; own: boolean }) {
  const { tenant } = props;
  const post = (action: string, label: string, extra: Record<string, string> = {}) => (
    <form method="post" action={`/admin/tenants/${encodeURIComponent(tenant.id)}/${action}`} class="inline">
      <button class="btn small" type="submit" {...extra}>
        {label}
      </button>
    </form>
  );
  if (tenant.state === 'deleting' || tenant.state === 'archived') return null;
  return (
    <div class="row">
      <form method="post" action="/admin/tenant-switch" class="inline">
        <input type="hidden" name="slug" value={props.own ? '' : tenant.slug} />
        <button class="btn small" type="submit">
          Act in this tenant
        </button>
      </form>
      {props.own ? null : (
        <>
          {tenant.state === 'active' ? post('suspend', 'Suspend') : post('resume', 'Resume')}
          {post('delete', 'Delete', { 'aria-label': `Delete tenant ${tenant.slug}` })}
        </>
      )}
    </div>
  );
}

/** The service provider's tenants: create, suspend, resume, delete, and act inside one. */
export function tenantRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const crumbs = ['Service provider', 'Tenants'];

  const render = async (
    c: Context<PortalEnv>,
    extra: { form?: CreateForm; errors?: Record<string, string>; created?: { slug: string; token: string } },
  ) => {
    const session = c.get('session');
    const list = await callApi(c, deps, 'GET', '/tenants');
    const tenants = (list.body as { items?: TenantRow[] }).items ?? [];
    return (
      <Page title="Tenants" session={session} nav="tenants" crumbs={crumbs} flash={takeFlash(c)}>
        {extra.created ? (
          <div class="notice ok" role="status">
            Tenant <strong>{extra.created.slug}</strong> created. Its screen-recording token is shown this
            once: <code class="token">{extra.created.token}</code>
          </div>
        ) : null}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Slug</th>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((t) => (
                <tr>
                  <td>{t.slug}</td>
                  <td>{t.name}</td>
                  <td>
                    <Badge tone={TONE[t.state]}>{t.state}</Badge>
                  </td>
                  <td>
                    <LocalTime at={new Date(t.createdAt)} mode="datetime" />
                  </td>
                  <td>
                    <TenantActions tenant={t} own={t.id === session.homeTenantId} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CreateTenantForm
          form={extra.form ?? { slug: '', name: '', username: '', password: '' }}
          errors={extra.errors ?? {}}
        />
      </Page>
    );
  };

  app.get('/admin/tenants', async (c) => c.html(await render(c, {})));

  app.post('/admin/tenants', async (c) => {
    const f = await readForm(c);
    const form: CreateForm = {
      slug: f.get('slug')?.trim() ?? '',
      name: f.get('name') ?? '',
      username: f.get('username')?.trim() ?? '',
      password: f.get('password') ?? '',
    };
    const admin =
      form.username || form.password ? { username: form.username, password: form.password } : undefined;
    const result = await callApi(c, deps, 'POST', '/tenants', {
      slug: form.slug,
      name: form.name,
      ...(admin ? { admin } : {}),
    });
    const error = apiError(result);
    if (error) {
      const errors = fieldErrors(error);
      if (!Object.keys(errors).length) errors._ = error.message;
      c.status(result.status === 409 ? 409 : 400);
      return c.html(await render(c, { form, errors }));
    }
    const created = result.body as { tenant: TenantRow; token: string };
    return c.html(await render(c, { created: { slug: created.tenant.slug, token: created.token } }));
  });

  for (const action of ['suspend', 'resume', 'delete'] as const) {
    app.post(`/admin/tenants/:id/${action}`, async (c) => {
      const id = encodeURIComponent(c.req.param('id'));
      const result =
        action === 'delete'
          ? await callApi(c, deps, 'DELETE', `/tenants/${id}`)
          : await callApi(c, deps, 'POST', `/tenants/${id}/${action}`);
      const error = apiError(result);
      const done = { suspend: 'suspended', resume: 'resumed', delete: 'is being deleted' }[action];
      const slug = (result.body as { slug?: string } | undefined)?.slug;
      setFlash(
        c,
        error ? { kind: 'error', text: error.message } : { kind: 'ok', text: `Tenant ${slug} ${done}.` },
      );
      return c.redirect('/admin/tenants', 303);
    });
  }

  // Remembered in a cookie; the API and pages check on every request that the provider may act there.
  app.post('/admin/tenant-switch', async (c) => {
    const slug = (await readForm(c)).get('slug')?.trim() ?? '';
    if (slug) {
      setCookie(c, TENANT_COOKIE, slug, { httpOnly: true, sameSite: 'Strict', path: '/' });
    } else {
      deleteCookie(c, TENANT_COOKIE, { path: '/' });
    }
    return c.redirect(slug ? '/admin/workstations' : '/admin/tenants', 303);
  });
  return app;
}
