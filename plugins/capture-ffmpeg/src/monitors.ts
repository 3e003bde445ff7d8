import type { ProbedMonitor } from './monitor-types.js';
import { probeMacMonitors } from './monitors-macos.js';
import { probeWindowsMonitors } from './monitors-windows.js';
import { probeX11Monitors } from './monitors-x11.js';
import type { FfmpegCaptureOptions, InputKind } from './options.js';

export interface ProbeContext {
  ffmpegPath: string;
  display: string;
  testMonitors: FfmpegCaptureOptions['testMonitors'];
}

/** lavfi's virtual monitors sit side by side; the first is the primary. */
export function testMonitors(monitors: ProbeContext['testMonitors']): ProbedMonitor[] {
  let x = 0;
  return monitors.map((m, i) => {
    const monitor = {
      id: String(i),
      name: m.name ?? `test-${i}`,
      width: m.width,
      height: m.height,
      x,
      y: 0,
      primary: i === 0,
      source: 'testsrc2',
    };
    x += m.width;
    return monitor;
  });
}

export function probeMonitors(input: InputKind, context: ProbeContext): Promise<ProbedMonitor[]> {
  switch (input) {
    case 'x11grab':
      return probeX11Monitors(context.display, context.ffmpegPath);
    case 'gdigrab':
    case 'ddagrab':
      return probeWindowsMonitors(input);
    case 'avfoundation':
      return probeMacMonitors(context.ffmpegPath);
    case 'lavfi':
      return Promise.resolve(testMonitors(context.testMonitors));
  }
}
