import { CaptureSetupError } from './errors.js';
import type { ProbedMonitor } from './monitor-types.js';
import { runCommand } from './run-command.js';

// Windows has no command-line tool that lists monitors; .NET's Screen class does, through PowerShell.
const SCRIPT =
  'Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Screen]::AllScreens | ' +
  'ForEach-Object { @{ name = $_.DeviceName; primary = $_.Primary; x = $_.Bounds.X; y = $_.Bounds.Y; ' +
  'width = $_.Bounds.Width; height = $_.Bounds.Height } } | ConvertTo-Json -Compress';

interface ScreenJson {
  name: string;
  primary: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** gdigrab grabs a desktop rectangle; ddagrab a DXGI output by index (the screen order is assumed to match). */
export function parseWindowsScreens(json: string, input: 'gdigrab' | 'ddagrab'): ProbedMonitor[] {
  const parsed = JSON.parse(json) as ScreenJson | ScreenJson[];
  const screens = Array.isArray(parsed) ? parsed : [parsed];
  return screens.map((s, i) => ({
    id: String(i),
    name: s.name,
    width: s.width,
    height: s.height,
    x: s.x,
    y: s.y,
    primary: s.primary,
    source: input === 'gdigrab' ? 'desktop' : String(i),
  }));
}

export async function probeWindowsMonitors(input: 'gdigrab' | 'ddagrab'): Promise<ProbedMonitor[]> {
  const result = await runCommand('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', SCRIPT]);
  if (result?.code !== 0 || !result.stdout.trim()) {
    throw new CaptureSetupError(
      `Cannot list monitors with PowerShell: ${result?.stderr.trim() || 'not found'}`,
    );
  }
  return parseWindowsScreens(result.stdout, input);
}
