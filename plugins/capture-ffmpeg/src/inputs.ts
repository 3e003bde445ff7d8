import type { ProbedMonitor } from './monitor-types.js';
import type { InputKind } from './options.js';

export interface InputContext {
  fps: number;
  drawMouse: boolean;
  /** A drawtext clock for the lavfi source, or undefined when drawtext does not work here. */
  clockFilter: string | undefined;
  extraInputArgs: readonly string[];
}

export interface MonitorInput {
  args: string[];
  /** Filters that must run first on this input (e.g. ddagrab's frames live on the GPU). */
  prefilter?: string;
  /** The grabber delivers packed RGB (bgr0/bgra), which the encoder chain converts to YUV. */
  rgb?: boolean;
}

const size = (m: ProbedMonitor) => `${m.width}x${m.height}`;

/** The ffmpeg arguments (up to and including `-i`) that grab one monitor. */
export function monitorInput(kind: InputKind, monitor: ProbedMonitor, context: InputContext): MonitorInput {
  const fps = String(context.fps);
  const mouse = context.drawMouse ? '1' : '0';
  // Several monitors are several inputs of one process; a deeper queue keeps one from stalling another.
  const common = ['-thread_queue_size', '64', ...context.extraInputArgs];
  switch (kind) {
    case 'x11grab':
      return {
        args: [
          ...common,
          '-f',
          'x11grab',
          '-framerate',
          fps,
          '-draw_mouse',
          mouse,
          '-video_size',
          size(monitor),
          '-i',
          monitor.source,
        ],
        rgb: true,
      };
    case 'gdigrab':
      return {
        args: [
          ...common,
          '-f',
          'gdigrab',
          '-framerate',
          fps,
          '-draw_mouse',
          mouse,
          '-offset_x',
          String(monitor.x),
          '-offset_y',
          String(monitor.y),
          '-video_size',
          size(monitor),
          '-i',
          monitor.source,
        ],
        rgb: true,
      };
    case 'ddagrab':
      return {
        args: [
          ...common,
          '-f',
          'lavfi',
          '-i',
          `ddagrab=output_idx=${monitor.source}:framerate=${fps}:draw_mouse=${mouse}`,
        ],
        prefilter: 'hwdownload,format=bgra',
        rgb: true,
      };
    case 'avfoundation':
      return {
        args: [
          ...common,
          '-f',
          'avfoundation',
          '-framerate',
          fps,
          '-capture_cursor',
          mouse,
          '-i',
          `${monitor.source}:none`,
        ],
      };
    case 'lavfi': {
      const clock = context.clockFilter ? `,${context.clockFilter}` : '';
      // -re paces the synthetic source like a real screen, so segments last wall-clock seconds.
      return {
        args: [...common, '-re', '-f', 'lavfi', '-i', `testsrc2=size=${size(monitor)}:rate=${fps}${clock}`],
      };
    }
  }
}
