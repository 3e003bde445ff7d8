import 'reflect-metadata';
import { startPortalHost } from './test/support/portal-host.js';
const p = await startPortalHost();
const cookie = await p.signIn();
for (const path of ['/calls', '/admin/workstations', '/admin/settings', '/admin/users', '/admin/users/new', '/admin/storage-targets', '/admin/storage-targets/new?kind=ftp', '/admin/system-log', '/admin/settings/token']) {
  const r = await p.fetch(path, { cookie });
  const t = await r.text();
  console.log(path, r.status, t.length, r.status >= 400 ? t.slice(0, 500) : '');
}
await p.stop();
