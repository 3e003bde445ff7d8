import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probeMedia, resolveFfmpeg } from '@deskrec/capture-ffmpeg';
import {
  type CaptureBackend,
  type CapturedSegment,
  CaptureSettingsSchema,
  type CheckLine,
  checkFail,
  checkOk,
  loadPlugins,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import { builtinImporter } from '../app/builtin-plugins.js';
import type { AgentConfig } from '../config/agent-config.js';

export const TEST_CAPTURE_MS = 2000;

/** Loads the configured capture plugin the way the agent does; the line names the encoder via describe(). */
export async function loadCapture(
  config: AgentConfig,
  signal: AbortSignal,
): Promise<{ line: CheckLine; backend?: CaptureBackend }> {
  try {
    const registry = await loadPlugins([{ kind: 'capture', entry: config.capture, where: 'capture' }], {
      logger: silentLogger,
      clock: systemClock,
      dataDir: path.join(os.tmpdir(), 'deskrec-doctor-plugins'),
      signal,
      importer: builtinImporter,
    });
    const backend = registry.list('capture')[0]!.instance;
    return { line: checkOk('capture plugin', backend.describe()), backend };
  } catch (error) {
    const message = (error as Error).message;
    return {
      line: checkFail(
        'capture plugin',
        message,
        /display/i.test(message)
          ? "give the agent the signed-in user's display: DISPLAY=:0 (and XAUTHORITY) in its service environment, or capture.options.display"
          : 'install ffmpeg (or set capture.options.ffmpegPath) and check the capture options',
      ),
    };
  }
}

/** Decodes the file fully with the plugin's ffmpeg when the plugin is ffmpeg; otherwise checks it is non-empty. */
async function decodes(config: AgentConfig, segment: CapturedSegment): Promise<string | undefined> {
  if (config.capture.use !== 'ffmpeg' && !config.capture.use.endsWith('capture-ffmpeg')) {
    return segment.bytes > 0 ? undefined : 'the segment is empty';
  }
  const options = config.capture.options as { ffmpegPath?: string };
  const binary = await resolveFfmpeg(options.ffmpegPath);
  const info = await probeMedia(binary.path, segment.path, true);
  return info && info.frames > 0 ? undefined : 'the segment holds no decodable frame';
}

/** Lists the monitors, records two seconds into a temporary folder and decodes what came out. */
export async function checkCaptureInput(config: AgentConfig, backend: CaptureBackend): Promise<CheckLine[]> {
  let monitors: Awaited<ReturnType<CaptureBackend['probeMonitors']>>;
  try {
    monitors = await backend.probeMonitors();
  } catch (error) {
    return [
      checkFail(
        'monitors',
        (error as Error).message,
        'check that the screen can be read (DISPLAY / capture.options.display, session permissions)',
      ),
    ];
  }
  if (!monitors.length) return [checkFail('monitors', 'no monitor found', 'check capture.options.display')];
  const lines = [
    checkOk(
      'monitors',
      monitors.map((m) => `${m.id}: ${m.width}x${m.height}${m.primary ? ' (primary)' : ''}`).join(', '),
    ),
  ];
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-doctor-capture-'));
  try {
    const session = await backend.start({
      captureId: `doctor-${process.pid}`,
      settings: CaptureSettingsSchema.parse({ multiMonitor: 'primary', maxFileSeconds: 10 }),
      outputDir,
    });
    const segments: CapturedSegment[] = [];
    session.onSegment((s) => segments.push(s));
    await new Promise((r) => setTimeout(r, TEST_CAPTURE_MS));
    const end = await session.stop();
    if (end.reason === 'failed' || !segments.length) {
      const tail = end.stderrTail?.slice(-3).join(' | ');
      return [
        ...lines,
        checkFail(
          'test capture',
          `${end.error ?? 'no segment was written'}${tail ? `: ${tail}` : ''}`,
          'run with a trace log (log.trace) and check the encoder output',
        ),
      ];
    }
    const problem = await decodes(config, segments[0]!);
    if (problem)
      return [...lines, checkFail('test capture', problem, 'check the capture options and the ffmpeg build')];
    const bytes = segments.reduce((total, s) => total + s.bytes, 0);
    return [
      ...lines,
      checkOk(
        'test capture',
        `${TEST_CAPTURE_MS / 1000} s recorded into ${segments.length} file(s), ${bytes} bytes, decodes`,
      ),
    ];
  } catch (error) {
    return [...lines, checkFail('test capture', (error as Error).message, 'check the capture options')];
  } finally {
    await fs.rm(outputDir, { recursive: true, force: true });
  }
}
