import type { Monitor } from '@deskrec/core';

/** A monitor plus what ffmpeg's input needs to grab it (`:0+1920,0`, `desktop`, a device index...). */
export interface ProbedMonitor extends Monitor {
  source: string;
}

/** Public view of a probed monitor: drops the ffmpeg-specific source. */
export function publicMonitor({ source: _source, ...monitor }: ProbedMonitor): Monitor {
  return monitor;
}
