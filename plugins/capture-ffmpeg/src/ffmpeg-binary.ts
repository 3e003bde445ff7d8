import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CaptureSetupError } from './errors.js';
import { runCommand } from './run-command.js';

export type FfmpegSource = 'option' | 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegBinary {
  path: string;
  source: FfmpegSource;
  /** First line of `ffmpeg -version`, e.g. `4.1` or `N-47683-g0e8eb07980-static`. */
  version: string;
  /** Input devices (`-devices`) and filters (`-filters`) this build has. */
  devices: ReadonlySet<string>;
  filters: ReadonlySet<string>;
}

const require = createRequire(import.meta.url);

/** A package's binary path, or undefined when the package is absent or its binary was never downloaded. */
function packagedBinary(name: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg'): string | undefined {
  try {
    const exported: unknown = require(name);
    const candidate = typeof exported === 'string' ? exported : (exported as { path?: unknown } | null)?.path;
    return typeof candidate === 'string' && existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/** @ffmpeg-installer's static builds print a git id as their version; its platform package has the release. */
function packagedVersion(source: FfmpegSource): string | undefined {
  if (source !== '@ffmpeg-installer/ffmpeg') return undefined;
  try {
    const platformPackage = `@ffmpeg-installer/${process.platform}-${process.arch}/package.json`;
    const version = (require(platformPackage) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === 'win32' ? ['ffmpeg.exe'] : ['ffmpeg'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The candidates in resolution order; the first one present wins. */
export function ffmpegCandidates(
  optionPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { source: FfmpegSource; path: string | undefined }[] {
  return [
    { source: 'option', path: optionPath },
    { source: 'FFMPEG_PATH', path: env.FFMPEG_PATH || undefined },
    { source: 'ffmpeg-static', path: packagedBinary('ffmpeg-static') },
    { source: '@ffmpeg-installer/ffmpeg', path: packagedBinary('@ffmpeg-installer/ffmpeg') },
    { source: 'PATH', path: onPath(env) },
  ];
}

function names(listing: string): Set<string> {
  // Lines like ` D  x11grab   X11 screen capture` or ` ..C crop   V->V  Crop the input video.`
  return new Set(
    listing
      .split('\n')
      .map((line) => /^\s*[A-Z.]{1,3}\s+([\w,]+)\s/.exec(line)?.[1])
      .flatMap((name) => (name ? name.split(',') : [])),
  );
}

/**
 * Finds the ffmpeg binary (option, $FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer/ffmpeg, PATH) and asks it
 * for its version, devices and filters. An explicit path that does not run is an error, never skipped.
 */
export async function resolveFfmpeg(
  optionPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FfmpegBinary> {
  const candidates = ffmpegCandidates(optionPath, env);
  const chosen = candidates.find((c) => c.path !== undefined);
  if (!chosen?.path) {
    throw new CaptureSetupError(
      'No ffmpeg found: set the ffmpegPath option or FFMPEG_PATH, install @ffmpeg-installer/ffmpeg, or put ffmpeg on PATH',
    );
  }
  const version = await runCommand(chosen.path, ['-hide_banner', '-version']);
  if (version?.code !== 0) {
    throw new CaptureSetupError(
      `ffmpeg from ${chosen.source} (${chosen.path}) does not run: ${version?.stderr.trim() || 'not executable'}`,
    );
  }
  const [devices, filters] = await Promise.all([
    runCommand(chosen.path, ['-hide_banner', '-devices']),
    runCommand(chosen.path, ['-hide_banner', '-filters']),
  ]);
  return {
    path: chosen.path,
    source: chosen.source,
    version: [packagedVersion(chosen.source), /ffmpeg version (\S+)/.exec(version.stdout)?.[1] ?? 'unknown']
      .filter(Boolean)
      .join(' build '),
    devices: names(devices?.stdout ?? ''),
    filters: names(filters?.stdout ?? ''),
  };
}
