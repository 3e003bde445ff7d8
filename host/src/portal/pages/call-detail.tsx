import { Hono } from 'hono';
import type { LoadedCall } from '../../db/repos/call-search.js';
import { formatClock } from '../client/player/format.js';
import type { PlayerData } from '../client/player/player-data.js';
import { gapsOf, laneOf, lanesOf } from '../client/player/timeline.js';
import { Badge, formatBytes, formatDuration, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { Page } from '../layout.js';
import { screenStateOf } from '../screen-state.js';
import { segmentStateOf, waitingMessage } from '../segment-state.js';
import type { PortalEnv } from '../session.js';

const ms = (d: Date | string) => new Date(d).getTime();

/** Parts still on their way, counted by where they are, with bytes, for the notice and progress.json. */
export function uploadProgress(loaded: LoadedCall) {
  const { recordings, segments } = loaded;
  const stored = segments.filter((s) => s.state === 'stored');
  const failed = segments.filter((s) => s.state === 'failed');
  const onHost = segments.filter((s) => s.state === 'spooled');
  // On the host, but the storage target refused them: the store job retries, the admin has to act.
  const storingFailed = onHost.filter((s) => s.error);
  const totalBytes = segments.reduce((n, s) => n + Number(s.bytes), 0);
  const storedBytes = stored.reduce((n, s) => n + Number(s.bytes), 0);
  const capturing = recordings.some((r) => r.state === 'recording');
  const waiting =
    capturing ||
    recordings.some((r) => r.state === 'uploading') ||
    stored.length + failed.length < segments.length;
  const percent = totalBytes ? Math.round((storedBytes / totalBytes) * 100) : 0;
  const onHostText = onHost.length ? `; ${onHost.length} on the host waiting for the storage target` : '';
  const text = capturing
    ? `Still recording; ${stored.length} of ${segments.length} parts stored so far${onHostText}`
    : `${stored.length} of ${segments.length} parts stored (${formatBytes(storedBytes)} of ${formatBytes(totalBytes)})${onHostText}`;
  return {
    waiting,
    complete: !waiting,
    percent,
    text,
    stored: stored.length,
    total: segments.length,
    failed: failed.length,
    onHost: onHost.length,
    storingFailed: [...new Set(storingFailed.map((s) => s.error!))],
  };
}

function Parts(props: { loaded: LoadedCall; origin: number; multiMonitor: boolean }) {
  const { segments } = props.loaded;
  return (
    <section class="panel" aria-labelledby="parts-h">
      <h2 class="section" id="parts-h">
        Screen parts
      </h2>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Screen parts and where each one is</caption>
          <thead>
            <tr>
              <th scope="col">Part</th>
              {props.multiMonitor ? <th scope="col">Monitor</th> : null}
              <th scope="col">From</th>
              <th scope="col" class="num">
                Length
              </th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => {
              const state = segmentStateOf(s);
              return (
                <tr data-segment={s.id}>
                  <td>{s.idx + 1}</td>
                  {props.multiMonitor ? <td>{s.monitor_id}</td> : null}
                  <td>{formatClock((ms(s.started_at) - props.origin) / 1000)}</td>
                  <td class="num">{formatDuration(s.duration_ms / 1000)}</td>
                  <td class="num">{formatBytes(Number(s.bytes))}</td>
                  <td data-col="state">
                    <Badge tone={state.tone}>{state.label}</Badge>
                    {state.reason ? <span class="reason">{state.reason}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One timeline: from the earlier of call start and first video to the later of call end and last video. */
function playerData(loaded: LoadedCall, now: Date): PlayerData & { origin: number } {
  const { call, segments } = loaded;
  const callStart = ms(call.started_at);
  const callEnd = call.ended_at ? ms(call.ended_at) : now.getTime();
  const origin = Math.min(callStart, ...segments.map((s) => ms(s.started_at)));
  const end = Math.max(callEnd, ...segments.map((s) => ms(s.started_at) + s.duration_ms));
  const base = `/media/calls/${encodeURIComponent(call.id)}`;
  return {
    origin,
    total: Math.max(0.1, (end - origin) / 1000),
    audio: call.audio_key ? { url: `${base}/audio`, offset: (callStart - origin) / 1000 } : null,
    monitors: [...new Set(segments.map((s) => s.monitor_id))].sort(),
    segments: segments
      .filter((s) => s.state !== 'failed')
      .map((s) => ({
        id: s.id,
        url: `${base}/segments/${encodeURIComponent(s.id)}`,
        start: (ms(s.started_at) - origin) / 1000,
        duration: s.duration_ms / 1000,
        monitor: s.monitor_id,
        stored: s.state === 'stored',
        waiting: s.state === 'stored' ? undefined : waitingMessage(s),
      })),
  };
}

function Player(props: { data: PlayerData }) {
  const { data } = props;
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const pct = (s: number) => `${Math.max(0, Math.min(100, (s / data.total) * 100)).toFixed(3)}%`;
  const lane = laneOf(data.segments, data.monitors[0] ?? null);
  const gaps = gapsOf(lane, data.total);
  return (
    <section id="player" class="player" aria-label="Call player" tabindex={-1}>
      <div class="screen">
        <video muted playsinline preload="auto" hidden aria-label="Screen recording" />
        <video muted playsinline preload="auto" hidden aria-label="Screen recording" />
        <div class="gap" data-gap role="status">
          <strong data-gap-title>Loading the screen recording…</strong>
          <span data-gap-text />
        </div>
      </div>
      <p class="integrity-alert" data-integrity role="alert" hidden />
      <div class="controls">
        <button class="btn" type="button" data-play aria-pressed="false">
          Play
        </button>
        <span class="clock" data-clock>
          0:00 / {formatDuration(data.total)}
        </span>
        <div class="timeline">
          <div class="lanes" aria-hidden="true">
            {lanesOf(lane).map((s) => (
              <div
                class={`lane${s.stored ? '' : ' pending'}`}
                style={`left:${pct(s.start)};width:${pct(s.end - s.start)}`}
              />
            ))}
            {gaps.map((g) => (
              <div class="lane missing" style={`left:${pct(g.start)};width:${pct(g.end - g.start)}`} />
            ))}
          </div>
          <input
            type="range"
            min="0"
            max={String(data.total)}
            step="0.1"
            value="0"
            aria-label="Position in the call"
          />
        </div>
        <label for="player-speed">Speed</label>
        <select id="player-speed" data-speed>
          {['0.5', '0.75', '1', '1.25', '1.5', '2'].map((r) => (
            <option value={r} selected={r === '1'}>
              {r}×
            </option>
          ))}
        </select>
        {data.monitors.length > 1 ? (
          <>
            <label for="player-monitor">Monitor</label>
            <select id="player-monitor" data-monitor>
              {data.monitors.map((m) => (
                <option value={m}>{m}</option>
              ))}
            </select>
          </>
        ) : null}
      </div>
      <p class="gap-list" data-gap-list>
        {gaps.length
          ? `Not recorded: ${gaps.map((g) => `${formatClock(g.start)}–${formatClock(g.end)}`).join(', ')}`
          : ''}
      </p>
      <div class="legend" aria-hidden="true">
        <span>
          <i style="background:#4f8ff0" />
          Screen recorded
        </span>
        <span>
          <i style="background:#7d8aa0" />
          Not uploaded yet
        </span>
        <span>
          <i class="missing" />
          Not recorded (interrupted)
        </span>
        <span>Keys: Space play/pause, ← → 5 s</span>
      </div>
      {data.audio ? (
        // biome-ignore lint/a11y/useMediaCaption: call audio has no transcript to caption; the player's own controls are labelled
        <audio preload="auto" src={data.audio.url} />
      ) : null}
      <script type="application/json" id="player-data" dangerouslySetInnerHTML={{ __html: json }} />
    </section>
  );
}

export function callDetailRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  app.get('/calls/:id/progress.json', async (c) => {
    const loaded = await deps.repos.callSearch.load(c.get('session').tenantId, c.req.param('id'));
    if (!loaded) return c.json({ error: { code: 'not-found', message: 'Call not found' } }, 404);
    const p = uploadProgress(loaded);
    c.header('cache-control', 'no-store');
    return c.json({
      complete: p.complete,
      percent: p.percent,
      text: p.text,
      stored: p.stored,
      total: p.total,
    });
  });

  app.get('/calls/:id', async (c) => {
    const session = c.get('session');
    const loaded = await deps.repos.callSearch.load(session.tenantId, c.req.param('id'));
    if (!loaded) {
      c.status(404);
      return c.html(
        <Page
          title="Call not found"
          session={session}
          nav="calls"
          crumbs={['Recordings', 'Calls', 'Not found']}
        >
          <div class="panel">
            <p>There is no such call. It may have been deleted, or the link is wrong.</p>
            <a class="btn" href="/calls">
              Back to calls
            </a>
          </div>
        </Page>,
      );
    }
    const { call, recordings, segments } = loaded;
    const screen = screenStateOf({
      recordingStates: recordings.map((r) => r.state),
      callState: call.state,
      callReason: call.no_recording_reason,
      legReasons: loaded.legs.map((l) => l.no_recording_reason),
    });
    const progress = uploadProgress(loaded);
    const started = new Date(call.started_at);
    const ended = call.ended_at ? new Date(call.ended_at) : null;
    const data = playerData(loaded, deps.clock.now());
    const title = `Call ${call.from_number ?? 'unknown'} → ${call.to_number ?? 'unknown'}`;
    const base = `/media/calls/${encodeURIComponent(call.id)}`;
    const stored = segments.filter((s) => s.state === 'stored');
    return c.html(
      <Page title={title} session={session} nav="calls" crumbs={['Recordings', 'Calls', title]} player>
        <p>
          <a href="/calls">← All calls</a>
        </p>
        <h2 class="section">Media player</h2>
        {progress.storingFailed.length ? (
          <div
            class="notice error"
            role="alert"
            data-progress-url={`/calls/${encodeURIComponent(call.id)}/progress.json`}
          >
            <strong>Storing the screen recording failed</strong>
            <p>
              {progress.onHost} {progress.onHost === 1 ? 'part is' : 'parts are'} kept on the host; the
              storage target refused {progress.onHost === 1 ? 'it' : 'them'}, and the host keeps retrying:
            </p>
            <ul>
              {progress.storingFailed.map((reason) => (
                <li class="mono">{reason}</li>
              ))}
            </ul>
          </div>
        ) : recordings.length > 0 && progress.waiting ? (
          <div
            class="notice warn"
            data-progress-url={`/calls/${encodeURIComponent(call.id)}/progress.json`}
            role="status"
          >
            <strong>Screen recording file is not uploaded yet</strong>
            <div class="progress" aria-hidden="true">
              <div data-bar style={`width:${progress.percent}%`} />
            </div>
            <span data-text>{progress.text}</span>
          </div>
        ) : null}
        {segments.length > 0 || call.audio_key ? (
          <Player data={data} />
        ) : (
          <div class="panel">
            <p>
              <Badge tone={screen.tone}>{screen.label}</Badge> This call has neither audio nor screen
              recording to play
              {screen.reason ? `: ${screen.reason}` : ''}.
            </p>
          </div>
        )}
        {segments.length ? (
          <div style="margin-top:1rem">
            <Parts loaded={loaded} origin={data.origin} multiMonitor={data.monitors.length > 1} />
          </div>
        ) : null}
        <div class="grid2" style="margin-top:1rem">
          <section class="panel" aria-labelledby="info-h">
            <h2 class="section" id="info-h">
              Call
            </h2>
            <dl class="dl">
              <dt>Started</dt>
              <dd>
                <LocalTime at={started} />
              </dd>
              <dt>Ended</dt>
              <dd>
                {ended ? <LocalTime at={ended} /> : <Badge tone="info">In progress</Badge>}
                {call.end_reason ? (
                  <p class="notice warn" id="call-end-reason">
                    Ended by the host, not by the phone system ({call.end_reason}). Check the call-event
                    source on the System Log page.
                  </p>
                ) : null}
              </dd>
              <dt>Duration</dt>
              <dd>{ended ? formatDuration((ended.getTime() - started.getTime()) / 1000) : '—'}</dd>
              <dt>Direction</dt>
              <dd>{call.direction}</dd>
              <dt>Call id</dt>
              <dd class="mono">{call.external_call_id}</dd>
              <dt>Source</dt>
              <dd>{call.source_id}</dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="parties-h">
            <h2 class="section" id="parties-h">
              Parties
            </h2>
            <dl class="dl">
              <dt>From</dt>
              <dd>
                <span class="mono">{call.from_number ?? '—'}</span> {call.from_name ?? ''}
              </dd>
              <dt>To</dt>
              <dd>
                <span class="mono">{call.to_number ?? '—'}</span> {call.to_name ?? ''}
              </dd>
              <dt>User</dt>
              <dd>{call.user_name ?? '—'}</dd>
              <dt>Extension</dt>
              <dd>{call.extension ?? '—'}</dd>
              <dt>Windows login</dt>
              <dd>{call.user_login ?? '—'}</dd>
              <dt>Workstation</dt>
              <dd>
                {recordings.length
                  ? [
                      ...new Set(
                        recordings.map(
                          (r) => (r.domain ? `${r.domain}\\` : '') + (r.computer_name ?? r.workstation_id),
                        ),
                      ),
                    ].join(', ')
                  : '—'}
              </dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="screen-h">
            <h2 class="section" id="screen-h">
              Screen recording
            </h2>
            <p>
              <Badge tone={screen.tone}>{screen.label}</Badge> {screen.reason ?? ''}
            </p>
            {segments.length ? (
              <p class="muted">
                {progress.stored} of {progress.total} parts stored
                {progress.failed ? `, ${progress.failed} failed` : ''}
                {progress.storingFailed.length ? `, ${progress.onHost} on the host (storing failed)` : ''}.
              </p>
            ) : null}
            {recordings
              .filter((r) => r.end_reason)
              .map((r) => (
                <p class="muted">Ended: {r.end_reason}</p>
              ))}
          </section>
          <section class="panel" aria-labelledby="dl-h">
            <h2 class="section" id="dl-h">
              Downloads
            </h2>
            {stored.length ? (
              <p data-export>
                <a class="btn" href={`/api/calls/${encodeURIComponent(call.id)}/export`} download>
                  Download call
                </a>{' '}
                <span class="muted">
                  one MP4 with the screen{data.monitors.length > 1 ? 's side by side' : ''} and the audio
                </span>
                {data.monitors.length > 1 ? (
                  <span>
                    {' '}
                    or one monitor:{' '}
                    {data.monitors.map((m, i) => (
                      <>
                        {i ? ', ' : ''}
                        <a
                          href={`/api/calls/${encodeURIComponent(call.id)}/export?monitor=${encodeURIComponent(m)}`}
                          download
                        >
                          {m}
                        </a>
                      </>
                    ))}
                  </span>
                ) : null}
              </p>
            ) : null}
            <ul>
              {call.audio_key ? (
                <li>
                  <a href={`${base}/audio?download=1`}>Call audio</a>
                  {call.audio_fetch ? <span class="muted"> ({call.audio_fetch})</span> : null}
                </li>
              ) : call.audio_fetch ? (
                <li class="muted">Call audio: {call.audio_fetch}</li>
              ) : (
                <li class="muted">No call audio</li>
              )}
              {stored.map((s) => (
                <li>
                  <a href={`${base}/segments/${encodeURIComponent(s.id)}?download=1`}>
                    Screen part {s.idx + 1}
                    {data.monitors.length > 1 ? ` (monitor ${s.monitor_id})` : ''}
                  </a>{' '}
                  <span class="muted">
                    {formatDuration(s.duration_ms / 1000)}, {formatBytes(Number(s.bytes))}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        </div>
      </Page>,
    );
  });
  return app;
}
