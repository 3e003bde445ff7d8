import { CaptureSetupError } from './errors.js';
import type { ProbedMonitor } from './monitor-types.js';
import { runCommand } from './run-command.js';

/**
 * Parses `xrandr --listmonitors`:
 * ` 0: +*DP-1 1920/527x1080/296+0+0  DP-1` (`*` marks the primary, `+` an automatic monitor).
 */
export function parseXrandrMonitors(output: string, display: string): ProbedMonitor[] {
  const monitors: ProbedMonitor[] = [];
  for (const line of output.split('\n')) {
    const m = /^\s*(\d+):\s+\+?(\*?)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+\+(-?\d+)\+(-?\d+)/.exec(line);
    if (!m) continue;
    const [, id, star, name, width, height, x, y] = m;
    monitors.push({
      id: id!,
      name: name!,
      width: Number(width),
      height: Number(height),
      x: Number(x),
      y: Number(y),
      primary: star === '*',
      source: `${display}+${x},${y}`,
    });
  }
  return withOnePrimary(physicalOnly(monitors));
}

const contains = (a: ProbedMonitor, b: ProbedMonitor) =>
  a.x <= b.x && a.y <= b.y && a.x + a.width >= b.x + b.width && a.y + a.height >= b.y + b.height;
const sameArea = (a: ProbedMonitor, b: ProbedMonitor) =>
  a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

/**
 * Drops monitors that only group others (a server's automatic whole-screen monitor next to `xrandr
 * --setmonitor` ones, as on Xvfb) and mirrored duplicates, so each screen area is recorded once.
 */
function physicalOnly(monitors: ProbedMonitor[]): ProbedMonitor[] {
  return monitors.filter(
    (m, i) =>
      !monitors.some((other, j) => j !== i && contains(m, other) && !sameArea(m, other)) &&
      !monitors.some((other, j) => j < i && sameArea(m, other)),
  );
}

/** X11 may report no primary (none was set) or, in theory, several: keep exactly one, the first. */
export function withOnePrimary(monitors: ProbedMonitor[]): ProbedMonitor[] {
  const first = Math.max(
    0,
    monitors.findIndex((m) => m.primary),
  );
  return monitors.map((m, i) => ({ ...m, primary: i === first }));
}

function wholeScreen(display: string, width: number, height: number): ProbedMonitor[] {
  return [{ id: '0', name: 'screen', width, height, x: 0, y: 0, primary: true, source: `${display}+0,0` }];
}

/**
 * The monitors of an X display: xrandr's monitor list when xrandr is installed, else the screen size from
 * xdpyinfo, else the size ffmpeg's x11grab reports for the whole screen.
 */
export async function probeX11Monitors(display: string, ffmpegPath: string): Promise<ProbedMonitor[]> {
  const env = { ...process.env, DISPLAY: display };
  const xrandr = await runCommand('xrandr', ['--listmonitors'], 10000, env);
  if (xrandr?.code === 0) {
    const monitors = parseXrandrMonitors(xrandr.stdout, display);
    if (monitors.length) return monitors;
  }
  const xdpyinfo = await runCommand('xdpyinfo', [], 10000, env);
  const dims = xdpyinfo?.code === 0 ? /dimensions:\s+(\d+)x(\d+) pixels/.exec(xdpyinfo.stdout) : null;
  if (dims) return wholeScreen(display, Number(dims[1]), Number(dims[2]));
  const grab = await runCommand(
    ffmpegPath,
    ['-hide_banner', '-nostdin', '-f', 'x11grab', '-i', display, '-frames:v', '1', '-f', 'null', '-'],
    15000,
  );
  const size = grab ? /Video: rawvideo.*?, (\d+)x(\d+)/.exec(grab.stderr) : null;
  if (size) return wholeScreen(display, Number(size[1]), Number(size[2]));
  const why = grab?.stderr.trim().split('\n').at(-1) ?? 'ffmpeg did not run';
  throw new CaptureSetupError(`Cannot read the screen of X display ${display}: ${why}`);
}
