import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Level, type Logger, type StreamEntry } from 'pino';
import pinoRoll from 'pino-roll';
import type { HostConfig } from '../config/schema.js';
import { LEVEL_VALUES, pinoLevelOf } from './levels.js';
import { RecentLog } from './recent-log.js';

export interface HostLogging {
  logger: Logger;
  recent: RecentLog;
  /** Flushes and closes the trace file. */
  close(): Promise<void>;
}

export interface CreateLoggingOptions {
  /** Console destination; process.stdout by default. */
  stdout?: DestinationStream;
}

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const REDACT = [
  'password',
  'token',
  'secret',
  'tenantToken',
  'workstationSecret',
  '*.password',
  '*.token',
  '*.secret',
  '*.tenantToken',
  '*.workstationSecret',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Console, trace file (rotated by pino-roll) and the in-memory recent lines, each at its own depth. */
export async function createLogging(
  config: HostConfig['log'],
  options: CreateLoggingOptions = {},
): Promise<HostLogging> {
  const recent = new RecentLog(config.recentLines);
  const consoleLevel = pinoLevelOf(config.level);
  const streams: StreamEntry<Level>[] = [
    { level: consoleLevel, stream: options.stdout ?? process.stdout },
    // The System Log page shows debug detail even when the console is quieter.
    { level: 'debug', stream: recent },
  ];
  let file: Awaited<ReturnType<typeof pinoRoll>> | undefined;
  if (config.trace.enabled) {
    mkdirSync(dirname(config.trace.file), { recursive: true });
    file = await pinoRoll({
      file: config.trace.file,
      size: config.trace.rotateSize,
      ...(config.trace.rotateFrequency ? { frequency: config.trace.rotateFrequency } : {}),
      mkdir: true,
      limit: { count: config.trace.keep },
    });
    streams.push({ level: pinoLevelOf(config.trace.level), stream: file });
  }
  const lowest = streams.reduce<Level>(
    (min, s) => (LEVEL_VALUES[s.level as Level] < LEVEL_VALUES[min] ? (s.level as Level) : min),
    'fatal',
  );
  const logger = pino(
    { level: lowest, base: { service: 'deskrec-host' }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.multistream(streams),
  );
  return {
    logger,
    recent,
    async close() {
      if (!file) return;
      const stream = file;
      await new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.once('error', () => resolve());
        stream.end();
      });
    },
  };
}
