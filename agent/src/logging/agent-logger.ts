import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@deskrec/core';
import { pino } from 'pino';
import type { AgentConfig } from '../config/agent-config.js';

const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

/** Warnings and errors always go to stderr; the trace log file is written only when enabled. */
export function createAgentLogger(config: AgentConfig): Logger {
  const level = LEVELS[config.log.level - 1] ?? 'info';
  const streams: pino.StreamEntry[] = [{ level: 'warn', stream: process.stderr }];
  if (config.log.trace) {
    const file = config.log.file ?? path.join(config.dataDir, 'logs', 'agent.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    streams.push({ level, stream: pino.destination({ dest: file, sync: false, mkdir: true }) });
  }
  return pino(
    {
      level: config.log.trace ? level : 'warn',
      base: { app: 'deskrec-agent' },
      redact: ['tenantToken', 'workstationSecret', 'uploadToken'],
    },
    pino.multistream(streams),
  ) as unknown as Logger;
}
