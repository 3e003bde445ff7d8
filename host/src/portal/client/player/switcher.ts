/**
 * Segment switching with two video elements: one on screen, the other loading the part that comes next.
 * A part is put on screen only once it has a frame at the wanted time; until then the previous frame stays,
 * so a boundary never shows a blank element. Pure: the player reads the elements into SlotState and applies
 * the plan.
 */
import type { Place, TimelineSegment } from './timeline.js';

export type Slot = 0 | 1;

export interface SlotState {
  /** The segment whose file the element holds, if any. */
  segmentId: string | null;
  /** It has a decoded frame at its current position and is not seeking. */
  ready: boolean;
}

export interface SwitchInput {
  place: Place;
  /** What to preload next (timeline.nextToLoad). */
  next: TimelineSegment | undefined;
  slots: readonly [SlotState, SlotState];
  /** The element on screen now. */
  visible: Slot | null;
}

export interface SwitchPlan {
  /** Elements to give a new file. */
  loads: { slot: Slot; segment: TimelineSegment }[];
  /** The element that should show the wanted segment, where, and whether it runs or holds its frame. */
  target: { slot: Slot; offset: number; play: boolean } | null;
  /** The element to have on screen after this step. */
  visible: Slot | null;
  /** What the placeholder says when no element is on screen: a real gap, a part still uploading, or loading. */
  message: 'gap' | 'pending' | 'loading' | null;
}

const other = (slot: Slot): Slot => (slot === 0 ? 1 : 0);

function slotHolding(slots: SwitchInput['slots'], id: string): Slot | null {
  if (slots[0].segmentId === id) return 0;
  if (slots[1].segmentId === id) return 1;
  return null;
}

export function planSwitch(input: SwitchInput): SwitchPlan {
  const { place, next, slots, visible } = input;
  const loads: SwitchPlan['loads'] = [];
  const preload = (free: Slot) => {
    if (next && slotHolding(slots, next.id) === null) loads.push({ slot: free, segment: next });
  };

  if (place.kind !== 'segment') {
    // Nothing to show: keep the element that was on screen (a seek back finds it loaded), use the other one.
    preload(visible === null ? (slots[0].segmentId === null ? 0 : 1) : other(visible));
    return { loads, target: null, visible: null, message: place.kind };
  }

  let slot = slotHolding(slots, place.segment.id);
  let fresh = false;
  if (slot === null) {
    slot = visible === null ? 0 : other(visible);
    loads.push({ slot, segment: place.segment });
    fresh = true;
  }
  const target = { slot, offset: place.offset, play: !place.held };
  let shown: Slot | null;
  if (slot === visible || (!fresh && slots[slot].ready)) shown = slot;
  else shown = visible;
  if (shown !== other(slot)) preload(other(slot));
  return { loads, target, visible: shown, message: shown === null ? 'loading' : null };
}
