import { type Browser, chromium, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TENANT_ADMIN_PASSWORD } from '../api-harness.js';
import { type PortalHost, startPortalHost } from '../support/portal-host.js';
import { CHROMIUM_ARGS } from '../support/portal-screens.js';

const test = suite<{ p: PortalHost; browser: Browser; page: Page; errors: string[] }>(
  'portal in Chromium: tenants and the tenant switcher',
);

test.before(async (ctx) => {
  ctx.p = await startPortalHost('embedded');
  ctx.browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1360, height: 860 } });
  ctx.errors = [];
  ctx.page.on('pageerror', (error) => ctx.errors.push(error.message));
});
test.after(async (ctx) => {
  await ctx.browser.close();
  await ctx.p.stop();
});

test('a provider admin creates a tenant, acts inside it and comes back', async ({ p, page, errors }) => {
  await page.goto(`${p.url}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(p.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Tenants' }).click();
  await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
  await page.getByLabel('Slug').fill('south');
  await page.getByLabel('Name', { exact: true }).fill('South Ltd');
  await page.getByLabel('First admin’s username').fill('sadmin');
  await page.getByLabel('First admin’s password').fill(TENANT_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  const token = await page.locator('code.token').textContent();
  assert.match(token ?? '', /^[0-9a-f]{32}$/);
  const row = page.getByRole('row').filter({ hasText: 'South Ltd' });
  await row.getByRole('button', { name: 'Act in this tenant' }).click();
  await page.getByText('Acting in tenant south').waitFor();
  assert.is(new URL(page.url()).pathname, '/admin/workstations');
  await page.getByRole('button', { name: 'Back to my tenant' }).click();
  await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
  assert.is(await page.getByText('Acting in tenant').count(), 0);
  assert.equal(errors, []);
});

test.run();
