import type { Child } from 'hono/jsx';
import type { SessionUser } from '../db/repos/sessions.js';
import { portalAssets } from './assets.js';
import type { Flash } from './flash.js';

export type NavKey =
  | 'calls'
  | 'workstations'
  | 'settings'
  | 'users'
  | 'storage'
  | 'system-log'
  | 'security'
  | 'tenants'
  | 'password';

const NAV: { section: string; admin: boolean; items: { key: NavKey; href: string; label: string }[] }[] = [
  { section: 'Recordings', admin: false, items: [{ key: 'calls', href: '/calls', label: 'Calls' }] },
  {
    section: 'Screen recording',
    admin: true,
    items: [
      { key: 'workstations', href: '/admin/workstations', label: 'Workstations' },
      { key: 'settings', href: '/admin/settings', label: 'Settings' },
    ],
  },
  {
    section: 'Administration',
    admin: true,
    items: [
      { key: 'users', href: '/admin/users', label: 'Users' },
      { key: 'storage', href: '/admin/storage-targets', label: 'Storage targets' },
      { key: 'system-log', href: '/admin/system-log', label: 'System log' },
      { key: 'security', href: '/admin/security', label: 'Security' },
    ],
  },
  {
    section: 'Account',
    admin: false,
    items: [{ key: 'password', href: '/account/password', label: 'Password' }],
  },
];
/** Shown to provider admins only. */
const PROVIDER_NAV = {
  section: 'Service provider',
  items: [{ key: 'tenants' as const, href: '/admin/tenants', label: 'Tenants' }],
};

export interface PageProps {
  title: string;
  crumbs?: string[];
  session: SessionUser;
  nav?: NavKey;
  flash?: Flash | undefined;
  player?: boolean;
  children?: Child;
}

function Document(props: { title: string; children?: Child; player?: boolean }) {
  const assets = portalAssets();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · deskrec`}</title>
        <link rel="stylesheet" href={assets.css.path} />
        <script src={assets.script.path} defer />
        {props.player ? <script src={assets.player.path} defer /> : null}
      </head>
      {props.children}
    </html>
  );
}

export function Brand() {
  return (
    <span class="brand">
      <span class="brand-mark" aria-hidden="true">
        ▶
      </span>
      deskrec
    </span>
  );
}

export function FlashNotice(props: { flash?: Flash | undefined }) {
  if (!props.flash) return null;
  return (
    <div class={`notice ${props.flash.kind}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
      {props.flash.text}
    </div>
  );
}

/** Every signed-in page: navigation by role, breadcrumbs, who is signed in, and a sign-out button. */
export function Page(props: PageProps) {
  const provider = props.session.role === 'provider-admin';
  const admin = props.session.role === 'admin' || provider;
  return (
    <Document title={props.title} player={props.player ?? false}>
      <body>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <div class="shell">
          <nav class="side" aria-label="Main">
            <a class="brand" href="/calls">
              <span class="brand-mark" aria-hidden="true">
                ▶
              </span>
              deskrec
            </a>
            {[...NAV.filter((s) => admin || !s.admin), ...(provider ? [PROVIDER_NAV] : [])].map((section) => (
              <>
                <h2>{section.section}</h2>
                <ul>
                  {section.items.map((item) => (
                    <li>
                      <a href={item.href} aria-current={props.nav === item.key ? 'page' : undefined}>
                        {item.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </>
            ))}
          </nav>
          <div class="main">
            <header class="top">
              <div class="crumbs">
                {(props.crumbs ?? [props.title]).map((c) => (
                  <span>{c}</span>
                ))}
              </div>
              <div class="who">
                <span>
                  {props.session.username} <span class="role">{props.session.role}</span>
                </span>
                <form method="post" action="/logout">
                  <button class="btn small" type="submit">
                    Sign out
                  </button>
                </form>
              </div>
            </header>
            <main id="content" class="content" tabindex={-1}>
              {props.session.actingSlug ? <ActingBanner slug={props.session.actingSlug} /> : null}
              <h1>{props.title}</h1>
              <FlashNotice flash={props.flash} />
              {props.children}
            </main>
          </div>
        </div>
      </body>
    </Document>
  );
}

/** A provider admin acting in another tenant sees which one on every page, and the way back. */
function ActingBanner(props: { slug: string }) {
  return (
    <form class="notice info row" method="post" action="/admin/tenant-switch">
      <span>
        Acting in tenant <strong>{props.slug}</strong>.
      </span>
      <input type="hidden" name="slug" value="" />
      <button class="btn small" type="submit">
        Back to my tenant
      </button>
    </form>
  );
}

/** Pages without navigation: sign-in. */
export function BarePage(props: { title: string; children?: Child }) {
  return (
    <Document title={props.title}>
      <body>{props.children}</body>
    </Document>
  );
}
