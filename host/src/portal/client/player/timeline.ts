/**
 * The call timeline across screen segments, without the DOM: which segment (and where in it) shows a given
 * call time, which holes are real interruptions, and what to load next. Shared by the browser player and the
 * server-rendered timeline, so both agree on what a gap is.
 */

export interface TimelineSegment {
  id: string;
  url: string;
  /** Seconds from the start of the timeline. */
  start: number;
  duration: number;
  monitor: string;
  /** On the storage target (playable); otherwise still on its way. */
  stored: boolean;
  /** For a part not stored yet: what the placeholder says about where it is. */
  waiting?: { title: string; text: string } | undefined;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Holes shorter than this between parts (or before the first one) are the recorder cutting files at frame
 * boundaries, not an interruption: the neighbouring frame stays on screen instead of a message.
 */
export const BRIDGE_SECONDS = 1;

/** Where the player stands at a call time. */
export type Place =
  /** `held`: the frame at `offset` stays on screen while the clock crosses a bridged hole. */
  | { kind: 'segment'; segment: TimelineSegment; offset: number; held: boolean }
  | { kind: 'pending'; segment: TimelineSegment }
  | { kind: 'gap'; gap: Span };

const end = (s: TimelineSegment) => s.start + s.duration;

/** One monitor's segments in time order. */
export function laneOf(segments: readonly TimelineSegment[], monitor: string | null): TimelineSegment[] {
  return segments
    .filter((s) => s.monitor === monitor)
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
}

function covering(lane: readonly TimelineSegment[], t: number, stored: boolean): TimelineSegment | undefined {
  return lane.find((s) => s.stored === stored && t >= s.start && t < end(s));
}

/** The hole around `t` (nothing recorded or on its way), from the previous part's end to the next's start. */
function holeAround(lane: readonly TimelineSegment[], t: number, total: number) {
  let before: TimelineSegment | undefined;
  let after: TimelineSegment | undefined;
  for (const s of lane) {
    if (end(s) <= t && (!before || end(s) > end(before))) before = s;
    if (s.start > t && (!after || s.start < after.start)) after = s;
  }
  const span = { start: before ? end(before) : 0, end: after ? after.start : total };
  return { before, after, span };
}

/** Maps a call time to the segment and offset that show it, a part still uploading, or a real gap. */
export function locate(lane: readonly TimelineSegment[], t: number, total: number): Place {
  const stored = covering(lane, t, true);
  if (stored) return { kind: 'segment', segment: stored, offset: t - stored.start, held: false };
  const pending = covering(lane, t, false);
  if (pending) return { kind: 'pending', segment: pending };
  const { before, after, span } = holeAround(lane, t, total);
  if (span.end - span.start < BRIDGE_SECONDS) {
    if (before?.stored) return { kind: 'segment', segment: before, offset: before.duration, held: true };
    if (after?.stored) return { kind: 'segment', segment: after, offset: 0, held: true };
  }
  return { kind: 'gap', gap: span };
}

/** The call time of an offset into a segment (the inverse of locate for a playing segment). */
export function callTimeOf(segment: TimelineSegment, offset: number): number {
  return segment.start + Math.max(0, Math.min(segment.duration, offset));
}

/** The stored segment to preload while `place` is on screen: the next one that will be needed. */
export function nextToLoad(lane: readonly TimelineSegment[], place: Place): TimelineSegment | undefined {
  const from = place.kind === 'gap' ? place.gap.start : end(place.segment);
  const current = place.kind === 'gap' ? undefined : place.segment.id;
  return lane.find((s) => s.stored && s.id !== current && s.start >= from - 1e-6);
}

/** Real interruptions of one monitor's lane: holes of at least BRIDGE_SECONDS with nothing recorded. */
export function gapsOf(lane: readonly TimelineSegment[], total: number): Span[] {
  const gaps: Span[] = [];
  let reached = 0;
  for (const s of lane) {
    if (s.start - reached >= BRIDGE_SECONDS) gaps.push({ start: reached, end: s.start });
    reached = Math.max(reached, end(s));
  }
  if (total - reached >= BRIDGE_SECONDS) gaps.push({ start: reached, end: total });
  return gaps;
}

/**
 * What the timeline bar draws: recorded and uploading stretches, with bridged holes closed so a boundary
 * between two parts is not drawn as a hairline gap.
 */
export function lanesOf(lane: readonly TimelineSegment[]): (Span & { stored: boolean })[] {
  const out: (Span & { stored: boolean })[] = [];
  for (const s of lane) {
    const last = out.at(-1);
    if (last && last.stored === s.stored && s.start - last.end < BRIDGE_SECONDS)
      last.end = Math.max(last.end, end(s));
    else out.push({ start: s.start, end: end(s), stored: s.stored });
  }
  return out;
}
