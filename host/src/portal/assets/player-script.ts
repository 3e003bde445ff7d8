/**
 * The call player. One master clock (the call audio, or a timer where there is no audio) drives the
 * timeline; the visible <video> shows the segment covering the clock's time and is pulled back whenever it
 * drifts. A second <video> preloads the next segment so boundaries switch without a blank frame.
 */
export const PLAYER_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('player');
  if (!root) return;
  var data = JSON.parse(document.getElementById('player-data').textContent);
  var audio = root.querySelector('audio');
  var videos = root.querySelectorAll('video');
  var active = videos[0], standby = videos[1];
  var gap = root.querySelector('[data-gap]');
  var gapTitle = root.querySelector('[data-gap-title]');
  var gapText = root.querySelector('[data-gap-text]');
  var range = root.querySelector('input[type=range]');
  var playBtn = root.querySelector('[data-play]');
  var speed = root.querySelector('[data-speed]');
  var monitorSelect = root.querySelector('[data-monitor]');
  var clockText = root.querySelector('[data-clock]');
  var total = data.total;
  var audioOffset = data.audio ? data.audio.offset : 0;
  var monitor = data.monitors.length ? data.monitors[0] : null;
  var DRIFT = 0.25;
  var rate = 1, playing = false;
  var mode = 'timer', base = 0, since = 0;

  function now() { return performance.now() / 1000; }
  function audioLength() { return audio && isFinite(audio.duration) ? audio.duration : 0; }
  function audioCovers(t) { return audio && audioLength() > 0 && t >= audioOffset && t < audioOffset + audioLength() - 0.05; }
  function time() {
    if (mode === 'audio') return audioOffset + audio.currentTime;
    return playing ? Math.min(total, base + (now() - since) * rate) : base;
  }
  function toTimer(t) {
    mode = 'timer'; base = t; since = now();
    if (audio && !audio.paused) audio.pause();
  }
  function toAudio(t) {
    mode = 'audio';
    audio.currentTime = t - audioOffset;
    audio.playbackRate = rate;
    if (playing) audio.play().catch(function () {});
  }
  function seek(t) {
    t = Math.max(0, Math.min(total, t));
    if (audioCovers(t)) toAudio(t); else toTimer(t);
    sync(true);
  }
  function play() {
    if (time() >= total - 0.05) seek(0);
    playing = true;
    if (mode === 'audio') audio.play().catch(function () { playing = false; render(); });
    else since = now();
    sync(true);
  }
  function pause() {
    var t = time();
    playing = false;
    if (mode === 'timer') base = t; else audio.pause();
    active.pause();
    sync(false);
  }

  function segments() {
    return data.segments.filter(function (s) { return s.monitor === monitor; });
  }
  function covering(t, stored) {
    var list = segments();
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (s.stored === stored && t >= s.start && t < s.start + s.duration) return s;
    }
    return null;
  }
  function nextAfter(t) {
    var best = null;
    segments().forEach(function (s) { if (s.stored && s.start >= t && (!best || s.start < best.start)) best = s; });
    return best;
  }
  function load(video, seg) {
    if (video.getAttribute('data-segment') === seg.id) return;
    video.setAttribute('data-segment', seg.id);
    video.setAttribute('data-start', String(seg.start));
    video.src = seg.url;
    video.load();
  }
  function showGap(t) {
    var pending = covering(t, false);
    gapTitle.textContent = pending ? 'Screen recording file is not uploaded yet' : 'No screen recording for this part';
    gapText.textContent = pending
      ? 'This part is still on its way from the workstation; it plays here once it is stored.'
      : 'The screen was not recorded during this part of the call (the recording was interrupted or had not started).';
    gap.hidden = false;
    active.hidden = true;
    if (!active.paused) active.pause();
  }
  function sync(force) {
    var t = time();
    var seg = covering(t, true);
    if (!seg) {
      showGap(t);
      var next = nextAfter(t);
      if (next) load(standby, next);
      return render();
    }
    if (standby.getAttribute('data-segment') === seg.id) { var swap = active; active = standby; standby = swap; }
    load(active, seg);
    gap.hidden = true;
    active.hidden = false;
    standby.hidden = true;
    if (!standby.paused) standby.pause();
    var position = t - seg.start;
    if (active.readyState >= 1 && !active.seeking) {
      if (force || Math.abs(active.currentTime - position) > DRIFT) active.currentTime = position;
    }
    if (active.playbackRate !== rate) active.playbackRate = rate;
    if (playing && active.paused) active.play().catch(function () {});
    if (!playing && !active.paused) active.pause();
    var following = nextAfter(seg.start + seg.duration - 0.001);
    if (following && following.id !== seg.id) load(standby, following);
    render();
  }
  function fmt(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ':' + (m < 10 ? '0' : '') : '') + m + ':' + (sec < 10 ? '0' : '') + sec;
  }
  var dragging = false;
  function render() {
    var t = time();
    if (!dragging) range.value = String(t);
    range.setAttribute('aria-valuetext', fmt(t) + ' of ' + fmt(total));
    clockText.textContent = fmt(t) + ' / ' + fmt(total);
    playBtn.textContent = playing ? 'Pause' : 'Play';
    playBtn.setAttribute('aria-pressed', playing ? 'true' : 'false');
  }

  function tick() {
    if (playing) {
      var t = time();
      if (mode === 'timer' && audioCovers(t)) toAudio(t);
      if (t >= total - 0.02) { playing = false; toTimer(total); active.pause(); }
    }
    sync(false);
  }

  // Each element that loads its metadata late gets the position the clock has by then.
  Array.prototype.forEach.call(videos, function (v) {
    v.addEventListener('loadedmetadata', function () { if (v === active) sync(true); });
  });
  if (audio) {
    audio.addEventListener('loadedmetadata', function () { if (mode === 'timer' && audioCovers(base)) toAudio(base); });
    audio.addEventListener('ended', function () { if (playing) toTimer(audioOffset + audioLength()); });
  }
  playBtn.addEventListener('click', function () { if (playing) pause(); else play(); });
  range.addEventListener('input', function () { dragging = true; seek(Number(range.value)); });
  range.addEventListener('change', function () { dragging = false; seek(Number(range.value)); });
  speed.addEventListener('change', function () {
    var t = time();
    rate = Number(speed.value) || 1;
    if (audio) audio.playbackRate = rate;
    if (mode === 'timer') { base = t; since = now(); }
    sync(false);
  });
  if (monitorSelect) monitorSelect.addEventListener('change', function () { monitor = monitorSelect.value; sync(true); });
  root.addEventListener('keydown', function (e) {
    if (e.target.tagName === 'SELECT') return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      seek(time() + (e.key === 'ArrowLeft' ? -5 : 5));
    } else if ((e.key === ' ' || e.key === 'k') && e.target.tagName !== 'BUTTON') {
      e.preventDefault();
      if (playing) pause(); else play();
    }
  });
  setInterval(tick, 100);
  sync(true);
})();
`;
