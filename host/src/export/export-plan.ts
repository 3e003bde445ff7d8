/** One stored segment as the export reads it. */
export interface PlannedSegment {
  id: string;
  key: string;
  targetId: string | null;
  /** Seconds the concat demuxer gives this file: up to the next segment's start, so gaps stay gaps. */
  seconds: number;
  /** Set when the file runs past the next segment's start (overlap): where to stop reading it. */
  outpoint?: number;
}

/** The stored segments of one monitor, in order, placed on the call's timeline. */
export interface Lane {
  monitor: string;
  /** Black before the first segment, in seconds. */
  leadSeconds: number;
  /** Frozen last frame after the last segment, up to the end of the timeline. */
  tailSeconds: number;
  segments: PlannedSegment[];
}

export interface ExportPlan {
  /** The timeline's length: from the earlier of call start and first video to the later of both ends. */
  totalSeconds: number;
  /** One lane per exported monitor; side by side in this order. */
  lanes: Lane[];
  /** The call's audio and where it starts on the timeline (it starts with the call). */
  audio?: { key: string; targetId: string | null; offsetSeconds: number };
}

export interface PlanInput {
  call: {
    started_at: Date | string;
    ended_at: Date | string | null;
    audio_key: string | null;
    audio_target_id: string | null;
  };
  segments: {
    id: string;
    monitor_id: string;
    started_at: Date | string;
    duration_ms: number;
    state: string;
    storage_key: string | null;
    storage_target_id: string | null;
  }[];
  /** Only this monitor; all monitors when undefined. */
  monitor?: string;
  now: Date;
}

export type PlanResult =
  | { ok: true; plan: ExportPlan }
  | { ok: false; reason: 'unknown-monitor'; monitors: string[] }
  | { ok: false; reason: 'nothing-stored' };

const ms = (d: Date | string) => new Date(d).getTime();
/** Below this, two segments count as starting together: the earlier one is dropped, not given 0 s. */
const MIN_SECONDS = 0.05;

/**
 * Places a call's stored segments on one wall-clock timeline, the player's: it starts at the earlier of the
 * call's start and the first video and ends at the later of the call's end and the last video.
 */
export function planExport(input: PlanInput): PlanResult {
  const { call, segments } = input;
  const live = segments.filter((s) => s.state !== 'failed');
  const monitors = [...new Set(live.map((s) => s.monitor_id))].sort();
  if (input.monitor !== undefined && !monitors.includes(input.monitor))
    return { ok: false, reason: 'unknown-monitor', monitors };
  const callStart = ms(call.started_at);
  const callEnd = call.ended_at ? ms(call.ended_at) : input.now.getTime();
  const origin = Math.min(callStart, ...live.map((s) => ms(s.started_at)));
  const end = Math.max(callEnd, ...live.map((s) => ms(s.started_at) + s.duration_ms));
  const totalSeconds = Math.max(0.1, (end - origin) / 1000);

  const lanes: Lane[] = [];
  for (const monitor of input.monitor === undefined ? monitors : [input.monitor]) {
    const stored = live
      .filter((s) => s.monitor_id === monitor && s.state === 'stored' && s.storage_key)
      .sort((a, b) => ms(a.started_at) - ms(b.started_at));
    const kept = stored.filter(
      (s, i) =>
        i === stored.length - 1 || (ms(stored[i + 1]!.started_at) - ms(s.started_at)) / 1000 >= MIN_SECONDS,
    );
    if (!kept.length) continue;
    const planned = kept.map((s, i): PlannedSegment => {
      const own = s.duration_ms / 1000;
      const next = kept[i + 1];
      const seconds = next ? (ms(next.started_at) - ms(s.started_at)) / 1000 : own;
      return {
        id: s.id,
        key: s.storage_key!,
        targetId: s.storage_target_id,
        seconds,
        ...(seconds < own ? { outpoint: seconds } : {}),
      };
    });
    const last = kept.at(-1)!;
    lanes.push({
      monitor,
      leadSeconds: (ms(kept[0]!.started_at) - origin) / 1000,
      tailSeconds: Math.max(0, (end - ms(last.started_at) - last.duration_ms) / 1000),
      segments: planned,
    });
  }
  if (!lanes.length) return { ok: false, reason: 'nothing-stored' };
  return {
    ok: true,
    plan: {
      totalSeconds,
      lanes,
      ...(call.audio_key
        ? {
            audio: {
              key: call.audio_key,
              targetId: call.audio_target_id,
              offsetSeconds: (callStart - origin) / 1000,
            },
          }
        : {}),
    },
  };
}
