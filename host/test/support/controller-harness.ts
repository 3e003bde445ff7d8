import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TokenAuthOptionsSchema, TokenAuthPolicy } from '@deskrec/auth-token';
import { ControllerSettingsSchema } from '@deskrec/core';
import { type Controller, type ControllerOptions, createController } from '../../src/controller/index.js';
import type { AgentEvent } from '../../src/workstations/ports.js';
import { MemoryWorkstationDirectory } from './memory-directory.js';
import { type LogLine, recordingLogger } from './recording-logger.js';
import { TOKEN } from './test-agent.js';

export interface Harness {
  controller: Controller;
  directory: MemoryWorkstationDirectory;
  events: AgentEvent[];
  logs: LogLine[];
  dataDir: string;
  url: string;
  tlsUrl: string | undefined;
  stop(): Promise<void>;
}

/** A started controller on ephemeral loopback ports, with the real auth-token policy and a memory directory. */
export async function startController(
  overrides: Omit<Partial<ControllerOptions>, 'settings'> & {
    tls?: boolean;
    settings?: Partial<ControllerOptions['settings']>;
  } = {},
): Promise<Harness> {
  const dataDir = overrides.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-controller-')));
  const directory =
    (overrides.directory as MemoryWorkstationDirectory | undefined) ?? new MemoryWorkstationDirectory();
  if (!overrides.directory) directory.addTenant('t1', TOKEN);
  const logger = recordingLogger();
  const { tls, settings, ...rest } = overrides;
  const controller = createController({
    host: '127.0.0.1',
    authPolicy: new TokenAuthPolicy(TokenAuthOptionsSchema.parse({})),
    logger,
    stopGraceMs: 200,
    ephemeralPorts: true,
    ...rest,
    dataDir,
    directory,
    settings: ControllerSettingsSchema.parse({ tcpPort: 6091, tlsPort: tls ? 6092 : 0, ...settings }),
  });
  const events: AgentEvent[] = [];
  controller.onAgentEvent((event) => events.push(event));
  await controller.start();
  const status = controller.status();
  return {
    controller,
    directory,
    events,
    logs: logger.lines,
    dataDir,
    url: `ws://127.0.0.1:${status.listening.tcp?.port}/`,
    tlsUrl: status.listening.tls ? `wss://127.0.0.1:${status.listening.tls.port}/` : undefined,
    async stop() {
      await controller.stop();
      if (!overrides.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
