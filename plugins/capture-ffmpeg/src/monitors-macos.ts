import { CaptureSetupError } from './errors.js';
import type { ProbedMonitor } from './monitor-types.js';
import { runCommand } from './run-command.js';

/** Parses `ffmpeg -f avfoundation -list_devices true -i ""`: `[AVFoundation ...] [3] Capture screen 0`. */
export function parseAvfoundationScreens(stderr: string): { device: string; screen: string }[] {
  return [...stderr.matchAll(/\[(\d+)\] Capture screen (\d+)/g)].map((m) => ({
    device: m[1]!,
    screen: m[2]!,
  }));
}

/** avfoundation lists screens without sizes, so one frame of each is grabbed to read its size. */
export async function probeMacMonitors(ffmpegPath: string): Promise<ProbedMonitor[]> {
  const list = await runCommand(ffmpegPath, [
    '-hide_banner',
    '-f',
    'avfoundation',
    '-list_devices',
    'true',
    '-i',
    '',
  ]);
  const screens = parseAvfoundationScreens(list?.stderr ?? '');
  if (!screens.length)
    throw new CaptureSetupError('avfoundation lists no screen (is screen recording allowed?)');
  const monitors: ProbedMonitor[] = [];
  let x = 0;
  for (const { device, screen } of screens) {
    const grab = await runCommand(ffmpegPath, [
      '-hide_banner',
      '-f',
      'avfoundation',
      '-i',
      `${device}:none`,
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ]);
    const size = /Video: .*?, (\d{2,5})x(\d{2,5})/.exec(grab?.stderr ?? '');
    if (!size) continue;
    const width = Number(size[1]);
    monitors.push({
      id: screen,
      name: `Capture screen ${screen}`,
      width,
      height: Number(size[2]),
      // avfoundation does not say where screens sit; side by side in its order is a guess for display only.
      x,
      y: 0,
      primary: screen === '0',
      source: device,
    });
    x += width;
  }
  if (!monitors.length) throw new CaptureSetupError('avfoundation could not grab any screen');
  return monitors;
}
