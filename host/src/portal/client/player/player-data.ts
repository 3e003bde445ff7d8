import type { TimelineSegment } from './timeline.js';

/** What the call page embeds for the player (as JSON in #player-data). */
export interface PlayerData {
  total: number;
  audio: { url: string; offset: number } | null;
  monitors: string[];
  segments: TimelineSegment[];
}
