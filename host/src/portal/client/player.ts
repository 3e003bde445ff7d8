/**
 * The call player's DOM side: reads the page, drives PlayerClock, asks the switcher what each <video> should
 * do and applies it. Decisions live in player/*.ts, which run without a browser under test.
 */
import { PlayerClock } from './player/clock.js';
import { formatClock } from './player/format.js';
import type { PlayerData } from './player/player-data.js';
import { planSwitch, type Slot, type SlotState } from './player/switcher.js';
import { gapsOf, laneOf, lanesOf, locate, nextToLoad, type Span } from './player/timeline.js';

/** A video further than this from the clock is pulled back to it. */
const DRIFT = 0.25;
const MESSAGES = {
  gap: {
    title: 'No screen recording for this part',
    text: 'The screen was not recorded during this part of the call (the recording was interrupted or had not started).',
  },
  pending: {
    title: 'Screen recording file is not uploaded yet',
    text: 'This part is still on its way from the workstation; it plays here once it is stored.',
  },
  loading: { title: 'Loading the screen recording…', text: '' },
} as const;

function need<T extends Element>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`player: ${selector} is missing`);
  return el;
}

function start(root: HTMLElement): void {
  const data = JSON.parse(
    need<HTMLScriptElement>(document, '#player-data').textContent ?? '{}',
  ) as PlayerData;
  const audio = root.querySelector('audio');
  const videos = [...root.querySelectorAll('video')] as [HTMLVideoElement, HTMLVideoElement];
  const gap = need<HTMLElement>(root, '[data-gap]');
  const gapTitle = need<HTMLElement>(root, '[data-gap-title]');
  const gapText = need<HTMLElement>(root, '[data-gap-text]');
  const range = need<HTMLInputElement>(root, 'input[type=range]');
  const playButton = need<HTMLButtonElement>(root, '[data-play]');
  const speed = need<HTMLSelectElement>(root, '[data-speed]');
  const monitorSelect = root.querySelector<HTMLSelectElement>('[data-monitor]');
  const clockText = need<HTMLElement>(root, '[data-clock]');
  const lanes = root.querySelector<HTMLElement>('.lanes');
  const gapList = root.querySelector<HTMLElement>('[data-gap-list]');

  let lane = laneOf(data.segments, data.monitors[0] ?? null);
  let visible: Slot | null = null;
  let dragging = false;
  const clock = new PlayerClock({
    total: data.total,
    now: () => performance.now() / 1000,
    audio: audio && data.audio ? { element: audio, offset: data.audio.offset } : undefined,
    onRefused: () => render(),
  });

  const slotState = (video: HTMLVideoElement): SlotState => ({
    segmentId: video.dataset.segment ?? null,
    ready: video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !video.seeking,
  });

  function load(video: HTMLVideoElement, url: string, id: string, startAt: number): void {
    video.dataset.segment = id;
    video.dataset.start = String(startAt);
    video.src = url;
    video.load();
  }

  function sync(force: boolean): void {
    const t = clock.time();
    const place = locate(lane, t, data.total);
    const plan = planSwitch({
      place,
      next: nextToLoad(lane, place),
      slots: [slotState(videos[0]), slotState(videos[1])],
      visible,
    });
    for (const { slot, segment } of plan.loads) load(videos[slot], segment.url, segment.id, segment.start);
    if (plan.target) {
      const video = videos[plan.target.slot];
      const offset = Math.min(
        plan.target.offset,
        Number.isFinite(video.duration) ? video.duration : Infinity,
      );
      if (video.readyState >= HTMLMediaElement.HAVE_METADATA && !video.seeking) {
        if (force || Math.abs(video.currentTime - offset) > DRIFT) video.currentTime = offset;
      }
      if (video.playbackRate !== clock.rate) video.playbackRate = clock.rate;
      const run = clock.playing && plan.target.play && plan.visible === plan.target.slot;
      if (run && video.paused) video.play().catch(() => {});
      if (!run && !video.paused) video.pause();
    }
    for (const [i, video] of videos.entries()) {
      const shown = plan.visible === i;
      if (video.hidden === shown) video.hidden = !shown;
      // Only the target runs: an element held on screen while the next one loads keeps its frame still.
      if ((!shown || plan.target?.slot !== i) && !video.paused) video.pause();
    }
    visible = plan.visible;
    gap.hidden = plan.message === null;
    if (plan.message) {
      const message = (place.kind === 'pending' && place.segment.waiting) || MESSAGES[plan.message];
      gapTitle.textContent = message.title;
      gapText.textContent = message.text;
      gap.dataset.gap = plan.message;
    }
    render();
  }

  function render(): void {
    const t = clock.time();
    if (!dragging) range.value = String(t);
    range.setAttribute('aria-valuetext', `${formatClock(t)} of ${formatClock(data.total)}`);
    clockText.textContent = `${formatClock(t)} / ${formatClock(data.total)}`;
    playButton.textContent = clock.playing ? 'Pause' : 'Play';
    playButton.setAttribute('aria-pressed', clock.playing ? 'true' : 'false');
  }

  /** Redraws the bar for the chosen monitor; the server drew it for the first one. */
  function drawLanes(): void {
    if (!lanes) return;
    const pct = (s: number) => `${Math.max(0, Math.min(100, (s / data.total) * 100)).toFixed(3)}%`;
    const bar = (span: Span, cls: string) => {
      const div = document.createElement('div');
      div.className = cls;
      div.style.left = pct(span.start);
      div.style.width = pct(span.end - span.start);
      return div;
    };
    const gaps = gapsOf(lane, data.total);
    lanes.replaceChildren(
      ...lanesOf(lane).map((s) => bar(s, s.stored ? 'lane' : 'lane pending')),
      ...gaps.map((g) => bar(g, 'lane missing')),
    );
    if (gapList) {
      gapList.textContent = gaps.length
        ? `Not recorded: ${gaps.map((g) => `${formatClock(g.start)}–${formatClock(g.end)}`).join(', ')}`
        : '';
    }
  }

  const play = () => {
    clock.play();
    sync(true);
  };
  const pause = () => {
    clock.pause();
    sync(false);
  };
  const seek = (t: number) => {
    clock.seek(t);
    sync(true);
  };

  const integrity = root.querySelector<HTMLElement>('[data-integrity]');
  // A segment the host found changed after recording fails to load; ask why and say so above the controls.
  const explainFailure = (video: HTMLVideoElement) => {
    const url = video.currentSrc || video.src;
    if (!url || !integrity) return;
    fetch(url, { headers: { range: 'bytes=0-0' } })
      .then(async (res) => {
        if (res.headers.get('x-deskrec-integrity') !== 'changed') return;
        integrity.textContent = await res.text();
        integrity.hidden = false;
      })
      .catch(() => {});
  };
  for (const video of videos) {
    video.addEventListener('error', () => explainFailure(video));
    // An element that gets its metadata late is put where the clock is by then.
    video.addEventListener('loadedmetadata', () => sync(false));
    video.addEventListener('loadeddata', () => sync(false));
    video.addEventListener('seeked', () => sync(false));
  }
  if (audio) {
    audio.addEventListener('loadedmetadata', () => {
      clock.audioReady();
      sync(true);
    });
    audio.addEventListener('ended', () => clock.audioEnded());
  }
  playButton.addEventListener('click', () => (clock.playing ? pause() : play()));
  range.addEventListener('input', () => {
    dragging = true;
    seek(Number(range.value));
  });
  range.addEventListener('change', () => {
    dragging = false;
    seek(Number(range.value));
  });
  speed.addEventListener('change', () => {
    clock.setRate(Number(speed.value));
    sync(false);
  });
  monitorSelect?.addEventListener('change', () => {
    lane = laneOf(data.segments, monitorSelect.value);
    drawLanes();
    sync(true);
  });
  root.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target.tagName === 'SELECT') return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      seek(clock.time() + (e.key === 'ArrowLeft' ? -5 : 5));
    } else if ((e.key === ' ' || e.key === 'k') && target.tagName !== 'BUTTON') {
      e.preventDefault();
      if (clock.playing) pause();
      else play();
    }
  });
  setInterval(() => {
    if (clock.tick()) for (const video of videos) video.pause();
    sync(false);
  }, 100);
  sync(true);
}

const root = document.getElementById('player');
if (root) start(root);
