import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type PortalHost, startPortalHost } from '../support/portal-host.js';
import { makeAudio, makeVideo, type SeededCall, seedCall } from '../support/portal-media.js';
import { CHROMIUM_ARGS, type ScreenshotFacts, screenshot } from '../support/portal-screens.js';
import { hello, newIdentity, TestAgent } from '../support/test-agent.js';

interface Ctx {
  p: PortalHost;
  browser: Browser;
  page: Page;
  media: string;
  call: SeededCall;
  uploading: SeededCall;
  silent: SeededCall;
  shots: ScreenshotFacts[];
  /** Script errors and console errors (CSP violations among them) of the main page, as they happened. */
  errors: string[];
}

/**
 * Runs in the page before its scripts: on every animation frame (what the admin actually sees painted) it
 * notes the clock, whether the placeholder is up and with which title, and the state of the visible video.
 */
const WATCH_FRAMES = `(() => {
  window.__frames = [];
  const step = () => {
    const player = document.getElementById('player');
    if (player) {
      const gap = player.querySelector('[data-gap]');
      const video = [...player.querySelectorAll('video')].find((v) => !v.hidden);
      window.__frames.push({
        t: Number(player.querySelector('input[type=range]').value),
        gap: gap.hidden ? null : gap.querySelector('[data-gap-title]').textContent,
        video: video ? video.readyState : null,
        seeking: video ? video.seeking : false,
      });
    }
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})()`;

interface Frame {
  t: number;
  gap: string | null;
  video: number | null;
  /** A seeking element keeps its last frame on screen. */
  seeking: boolean;
}

const INTERRUPTED = 'No screen recording for this part';

/** Frames, since the last call, that showed the interruption message, nothing at all, or a video without a frame. */
async function badFrames(page: Page, recordedUntil: number): Promise<Frame[]> {
  const frames = (await page.evaluate('window.__frames.splice(0)')) as Frame[];
  assert.ok(frames.length > 0, 'frames were watched');
  return frames.filter(
    (f) =>
      f.t < recordedUntil &&
      (f.gap === INTERRUPTED ||
        (f.gap === null && f.video === null) ||
        (f.video !== null && f.video < 2 && !f.seeking)),
  );
}

const test = suite<Ctx>('portal in Chromium: sign-in, workstations, settings, player, roles');

if (process.env.DESKREC_TEST_SYSTEM !== '1') {
  console.log(
    'portal-browser: skipped; set DESKREC_TEST_SYSTEM=1 (npm run test:system) to drive the portal in Debian chromium',
  );
} else {
  test.before(async (ctx) => {
    ctx.shots = [];
    ctx.p = await startPortalHost();
    ctx.media = await mkdtemp(join(tmpdir(), 'deskrec-portal-media-'));
    const [audio, first, second] = await Promise.all([
      makeAudio(ctx.media, 12),
      makeVideo(ctx.media, 'part1.mp4', 5, 'part 1', 'navy'),
      makeVideo(ctx.media, 'part2.mp4', 5, 'part 2', 'darkgreen'),
    ]);
    ctx.call = await seedCall(
      ctx.p,
      {
        audio,
        segments: [
          { file: first, offsetMs: 0, durationMs: 5000 },
          // 0.3 s between the parts, as the recorder's file cuts leave them: bridged, not an interruption.
          { file: second, offsetMs: 5300, durationMs: 5000 },
        ],
      },
      { callSeconds: 12 },
    );
    // Two more calls, so the list shows each screen-recording state: one still uploading, one without.
    ctx.uploading = await seedCall(
      ctx.p,
      {
        audio,
        segments: [
          { file: first, offsetMs: 0, durationMs: 5000 },
          { file: second, offsetMs: 5000, durationMs: 5000, stored: false },
        ],
      },
      { callSeconds: 11, fromNumber: '4155550123' },
    );
    // No audio and a two-second gap between the parts: a timer is the clock, the gap shows a placeholder.
    ctx.silent = await seedCall(
      ctx.p,
      {
        audio: null,
        segments: [
          { file: first, offsetMs: 0, durationMs: 5000 },
          { file: second, offsetMs: 7000, durationMs: 5000 },
        ],
      },
      { callSeconds: 11, fromNumber: '3125550111' },
    );
    const none = await seedCall(
      ctx.p,
      { audio, segments: [] },
      { callSeconds: 12, fromNumber: '2125550199' },
    );
    await ctx.p.t.host
      .services()
      .database.db.updateTable('calls')
      .set({ no_recording_reason: 'no-licence: Bob Example has no screen-recording seat licence' })
      .where('id', '=', none.callId)
      .execute();
    ctx.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    ctx.page = await ctx.browser.newPage({ viewport: { width: 1360, height: 860 } });
    await ctx.page.addInitScript(WATCH_FRAMES);
    ctx.errors = [];
    ctx.page.on('pageerror', (error) => ctx.errors.push(`${ctx.page.url()}: ${error.message}`));
    ctx.page.on('console', (message) => {
      // HTTP error statuses are answers the tests expect (a refused form is a 400, no favicon a 404).
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        ctx.errors.push(`${ctx.page.url()}: ${message.text()}`);
    });
  });

  test.after(async (ctx) => {
    await ctx.browser?.close();
    await ctx.p?.stop();
    if (ctx.media) await rm(ctx.media, { recursive: true, force: true });
    for (const s of ctx.shots ?? [])
      console.log(`  screenshot ${s.file}: ${s.bytes} bytes, ${s.colours} colours`);
  });

  const shoot = async (ctx: Ctx, name: string) => {
    const facts = await screenshot(ctx.page, name);
    ctx.shots.push(facts);
    assert.ok(facts.bytes > 10_000, `${name}.png is ${facts.bytes} bytes: blank?`);
    assert.ok(facts.colours > 20, `${name}.png has only ${facts.colours} colours: blank?`);
  };

  test('signs in through the form and lands on the calls list', async (ctx) => {
    const { page, p } = ctx;
    await page.goto(`${p.url}/calls`);
    assert.match(page.url(), /\/login\?next=%2Fcalls/);
    await shoot(ctx, '01-login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(p.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/calls$/);
    await page.getByRole('link', { name: 'Workstations' }).waitFor();
    assert.is(await page.locator('tbody tr').count(), 4);
    await page.getByText('Bob Example has no screen-recording seat licence').waitFor();
    await shoot(ctx, '02-calls');
  });

  test('authorizes a pending workstation that an agent connected with; it turns authorized live', async (ctx) => {
    const { page, p } = ctx;
    // A raw ws client speaking core's hello protocol (test/support/test-agent.ts) stands in for the agent.
    const agent = await TestAgent.connect(p.controllerUrl);
    agent.send(hello(newIdentity(p.t.credentials.tenantToken), 'CONTOSO\\alice'));
    const welcome = await agent.next('welcome');
    assert.is(welcome.state, 'pending');
    await page.goto(`${p.url}/admin/workstations?tab=pending`);
    const row = page.locator('tr', { hasText: 'PC-0042' });
    await row.waitFor();
    await row.getByText('Online').waitFor();
    assert.is(await page.locator('[data-selected-count]').textContent(), '0');
    await row.getByRole('checkbox').check();
    assert.is(await page.locator('[data-selected-count]').textContent(), '1');
    await shoot(ctx, '03-workstations-pending');
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.getByText('1 workstation authorized.').waitFor();
    const authorization = await agent.next('authorization');
    assert.is(authorization.state, 'authorized');
    await page.goto(`${p.url}/admin/workstations`);
    const authorized = page.locator('tr', { hasText: 'PC-0042' });
    await authorized.getByText('Authorized').waitFor();
    await shoot(ctx, '04-workstations-all');
    // The status column follows the connection without a reload.
    await agent.close();
    await authorized.getByText('Offline').waitFor({ timeout: 15_000 });
  });

  test('the workstation opens on its own page with id, fingerprint, monitors and addresses', async (ctx) => {
    const { page, p } = ctx;
    await page.goto(`${p.url}/admin/workstations`);
    const row = page.locator('tr', { hasText: 'PC-0042' });
    const id = (await row.getAttribute('data-ws'))!;
    assert.is(await row.locator('.short-id').textContent(), id.slice(0, 8));
    await row.getByRole('link', { name: 'PC-0042' }).click();
    await page.getByRole('heading', { name: 'Workstation CONTOSO\\PC-0042', level: 1 }).waitFor();
    assert.is(await page.locator('[data-field=id]').textContent(), id);
    assert.match(
      (await page.locator('[data-field=fingerprint]').textContent()) ?? '',
      /^([0-9A-F]{4} ){3}[0-9A-F]{4}$/,
    );
    assert.is(await page.locator('[data-field=agent-version]').textContent(), '0.1.0');
    await page.locator('[data-field=monitors]').getByText('0: 1920×1080 at 0,0 (primary)').waitFor();
    await page.locator('[data-field=addresses]').getByText('last connection').waitFor();
    await page.locator('[data-field=last-error]').getByText('No capture has failed').waitFor();
    await shoot(ctx, '04a-workstation-detail');
  });

  test('settings: an out-of-range value is refused with the message next to the field', async (ctx) => {
    const { page, p } = ctx;
    await page.goto(`${p.url}/admin/settings`);
    await page.getByLabel('Capture rate').fill('99');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const message = page.locator('#s-fps-error');
    await message.waitFor();
    assert.match((await message.textContent()) ?? '', /30/);
    assert.is(await page.getByLabel('Capture rate').getAttribute('aria-invalid'), 'true');
    await shoot(ctx, '05-settings-invalid');
    await page.getByLabel('Capture rate').fill('4');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved').waitFor();
    assert.is((await p.t.host.services().repos.settings.get(p.tenantId)).fps, 4);
    // The host section: the ports agents connect to and the certificate fingerprint they pin.
    const status = p.controller.status();
    const host = page.getByRole('region', { name: 'Agent connections' });
    await host.scrollIntoViewIfNeeded();
    assert.is(await host.locator('[data-port=tcp]').textContent(), String(status.listening.tcp!.port));
    assert.is(await host.locator('[data-port=tls]').textContent(), String(status.listening.tls!.port));
    assert.is(await host.locator('#tls-fingerprint').textContent(), status.tlsFingerprint256);
    await host.getByText('Set under log.trace').waitFor();
    await shoot(ctx, '05a-settings-host');
  });

  /** Where the visible video is on the call timeline, and where the audio is. */
  const positions = async (page: Page) =>
    (await page.evaluate(`(() => {
      const audio = document.querySelector('#player audio');
      const video = [...document.querySelectorAll('#player video')].find((v) => !v.hidden);
      return {
        audio: audio.currentTime,
        video: video ? Number(video.dataset.start) + video.currentTime : null,
        segment: video ? video.dataset.segment : null,
        paused: audio.paused,
      };
    })()`)) as { audio: number; video: number | null; segment: string | null; paused: boolean };

  const waitFor = async (page: Page, what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await page.waitForTimeout(50);
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await positions(page))}`);
  };

  test('plays audio and screen together, across the segment boundary and after a seek', async (ctx) => {
    const { page, p, call } = ctx;
    await page.goto(`${p.url}/calls/${call.callId}`);
    await page.locator('#player').waitFor();
    // Before Play a complete recording shows its first frame, not a placeholder.
    await page.locator('#player video:not([hidden])').waitFor({ state: 'attached' });
    await page.locator('#player [data-gap]').waitFor({ state: 'hidden' });
    assert.equal(await badFrames(page, 10.3), [], 'before Play');
    // The timeline marks the one real gap (after the last part), not the 0.3 s cut between the parts.
    assert.is(await page.locator('#player .lane.missing').count(), 1);
    assert.is(await page.locator('#player .lane:not(.missing)').count(), 1);
    assert.is(await page.locator('#player [data-gap-list]').textContent(), 'Not recorded: 0:10–0:12');
    await shoot(ctx, '06a-call-before-play');
    await page.getByRole('button', { name: 'Play' }).click();
    await waitFor(page, 'playback to start', async () => (await positions(page)).audio > 1);
    let at = await positions(page);
    assert.is(at.segment, call.segmentIds[0]);
    // Seek past the boundary: the second segment takes over at the matching position.
    await page.getByLabel('Position in the call').fill('6.8');
    await waitFor(page, 'the second segment to play', async () => {
      const now = await positions(page);
      return now.segment === call.segmentIds[1] && now.audio > 7.3;
    });
    at = await positions(page);
    assert.ok(Math.abs(at.audio - at.video!) < 0.5, `video ${at.video} vs audio ${at.audio} after the seek`);
    await shoot(ctx, '06-call-player');
    // Back before the boundary, then let it cross on its own: no frame on the way shows the interruption
    // message, a blank screen or a video without a picture.
    await page.getByLabel('Position in the call').fill('4');
    await page.evaluate('window.__frames.length = 0');
    await waitFor(page, 'crossing into the second segment', async () => {
      const now = await positions(page);
      return now.segment === call.segmentIds[1] && now.audio > 6.1;
    });
    assert.equal(await badFrames(page, 10.3), [], 'across the boundary');
    at = await positions(page);
    assert.ok(
      Math.abs(at.audio - at.video!) < 0.5,
      `video ${at.video} vs audio ${at.audio} after the boundary`,
    );
    // Past the last segment the placeholder replaces the video.
    await page.getByLabel('Position in the call').fill('10.8');
    await page.getByText('No screen recording for this part').waitFor();
    await shoot(ctx, '07-call-gap');
    await page.getByRole('button', { name: 'Pause' }).click();
  });

  test('without audio a timer drives the timeline; a gap between parts shows the placeholder', async (ctx) => {
    const { page, p, silent } = ctx;
    const state = async () =>
      (await page.evaluate(`(() => {
        const clock = Number(document.querySelector('#player input[type=range]').value);
        const video = [...document.querySelectorAll('#player video')].find((v) => !v.hidden);
        return { clock, video: video ? Number(video.dataset.start) + video.currentTime : null, segment: video ? video.dataset.segment : null };
      })()`)) as { clock: number; video: number | null; segment: string | null };
    await page.goto(`${p.url}/calls/${silent.callId}`);
    assert.is(await page.locator('#player audio').count(), 0);
    assert.is(await page.locator('#player [data-gap-list]').textContent(), 'Not recorded: 0:05–0:07');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByLabel('Position in the call').fill('4.2');
    await page.getByText('No screen recording for this part').waitFor({ timeout: 10_000 });
    await shoot(ctx, '08-call-gap-between-parts');
    for (let i = 0; i < 200; i++) {
      const now = await state();
      if (now.segment === silent.segmentIds[1] && now.clock > 7.6) break;
      await page.waitForTimeout(50);
    }
    const at = await state();
    assert.is(at.segment, silent.segmentIds[1]);
    assert.ok(Math.abs(at.clock - at.video!) < 0.5, `video ${at.video} vs clock ${at.clock}`);
    await page.getByRole('button', { name: 'Pause' }).click();
  });

  test('a call whose screen recording is still on its way says so, with progress', async (ctx) => {
    const { page, p } = ctx;
    await page.goto(`${p.url}/calls/${ctx.uploading.callId}`);
    await page.getByText('Screen recording file is not uploaded yet').waitFor();
    await page
      .getByText(/1 of 2 parts stored/)
      .first()
      .waitFor();
    await shoot(ctx, '09-call-uploading');
    const parts = page.getByRole('table', { name: 'Screen parts and where each one is' });
    assert.equal(await parts.locator('td[data-col=state] .badge').allTextContents(), ['Stored', 'Uploading']);
    // The part reaches the host, and the storage target refuses it: the page says so, with the reason.
    await ctx.p.t.host
      .services()
      .database.db.updateTable('segments')
      .set({ state: 'spooled', error: 'EACCES: permission denied, open /srv/recordings/part-2.mp4' })
      .where('id', '=', ctx.uploading.segmentIds[1]!)
      .execute();
    await page.reload();
    await page.getByRole('alert').getByText('Storing the screen recording failed').waitFor();
    assert.equal(await parts.locator('td[data-col=state] .badge').allTextContents(), [
      'Stored',
      'Storing failed',
    ]);
    await parts.getByText('EACCES: permission denied, open /srv/recordings/part-2.mp4').waitFor();
    assert.is(await page.getByText('Screen recording file is not uploaded yet').count(), 0);
    // Over that part the player says the same, not "not uploaded yet".
    await page.getByLabel('Position in the call').fill('7');
    await page.locator('#player [data-gap-title]').getByText('Storing this part failed').waitFor();
    await shoot(ctx, '09a-call-storing-failed');
  });

  test('the playback wrote an audit row naming the user and the call', async (ctx) => {
    const { db } = ctx.p.t.host.services().database;
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'recording.play')
      .where('target_id', '=', ctx.call.callId)
      .execute();
    assert.ok(rows.length >= 2, `audio and video playback rows, got ${rows.length}`);
    const admin = (await ctx.p.t.host.services().repos.adminUsers.list(ctx.p.tenantId)).find(
      (u) => u.username === 'admin',
    )!;
    assert.ok(rows.every((r) => r.actor_user_id === admin.id && r.ip === '127.0.0.1'));
  });

  test('other admin pages render', async (ctx) => {
    const { page, p } = ctx;
    for (const [path, name, heading] of [
      ['/admin/users/new', '10-user-new', 'Add user'],
      ['/admin/storage-targets', '11-storage-targets', 'Storage targets'],
      ['/admin/storage-targets/new?kind=ftp', '12-storage-target-ftp', 'Add storage target'],
      ['/admin/system-log?level=debug', '13-system-log', 'System log'],
    ] as const) {
      await page.goto(`${p.url}${path}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await shoot(ctx, name);
    }
    await page.goto(`${p.url}/admin/users/new`);
    await page.getByLabel('Name').fill('Alice Agent');
    await page.getByLabel('Screen recording login').fill('bad\\\\login\\\\x');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#u-screenRecordingLogin-error').waitFor();
    await shoot(ctx, '14-user-invalid');
  });

  test('the bundled scripts ran on every page above without an error or a CSP violation', async (ctx) => {
    assert.equal(ctx.errors, []);
  });

  test('a supervisor sees calls only and gets a 403 page for administration', async (ctx) => {
    const { p, browser } = ctx;
    await p.t.host.services().repos.adminUsers.create(p.tenantId, {
      username: 'sue',
      password: 'supervisor-pass-1',
      role: 'supervisor',
    });
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.goto(`${p.url}/login`);
    await page.getByLabel('Username').fill('sue');
    await page.getByLabel('Password').fill('supervisor-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/calls$/);
    assert.is(await page.getByRole('link', { name: 'Workstations' }).count(), 0);
    const res = await page.goto(`${p.url}/admin/settings`);
    assert.is(res?.status(), 403);
    await page.getByText('This page is for administrators').waitFor();
    const facts = await screenshot(page, '15-supervisor-403');
    ctx.shots.push(facts);
    assert.ok(facts.colours > 20);
    await page.close();
  });
}

test.run();
