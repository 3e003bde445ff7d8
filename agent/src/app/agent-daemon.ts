// tsyringe needs the Reflect polyfill before it loads; every module that imports it at runtime loads it first.
import 'reflect-metadata';
import path from 'node:path';
import { type Clock, type Logger, loadPlugins } from '@deskrec/core';
import { inject, injectable } from 'tsyringe';
import { Agent } from '../agent.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { LoginReader } from '../session/login-watcher.js';
import { builtinImporter } from './builtin-plugins.js';
import { AGENT_TOKENS } from './tokens.js';

/** `deskrec-agent run`: the agent with its dependencies from the container, and its start/stop lines. */
@injectable()
export class AgentDaemon {
  private readonly abort = new AbortController();
  private started: Agent | undefined;

  constructor(
    @inject(AGENT_TOKENS.Config) private readonly config: AgentConfig,
    @inject(AGENT_TOKENS.Logger) private readonly logger: Logger,
    @inject(AGENT_TOKENS.Clock) private readonly clock: Clock,
    @inject(AGENT_TOKENS.LoginReader) private readonly readLogin: LoginReader,
    @inject(AGENT_TOKENS.Console) private readonly say: (line: string) => void,
  ) {}

  get agent(): Agent {
    if (!this.started) throw new Error('the agent daemon has not started');
    return this.started;
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    // Loaded here, through the built-in importer, so a single executable finds the bundled plugin.
    const registry = await loadPlugins([{ kind: 'capture', entry: config.capture, where: 'capture' }], {
      logger,
      clock: this.clock,
      dataDir: path.join(config.dataDir, 'plugins'),
      signal: this.abort.signal,
      importer: builtinImporter,
    });
    const captureBackend = registry.list('capture')[0]!.instance;
    this.started = new Agent({ config, logger, readLogin: this.readLogin, captureBackend });
    await this.started.start();
    const { controller } = this.config;
    this.say(
      `deskrec-agent ${this.agent.workstationId} running; controller ${controller.primary}${controller.secondary ? `, ${controller.secondary}` : ''}${controller.tls ? ' (TLS)' : ''}`,
    );
  }

  async stop(): Promise<void> {
    await this.started?.stop();
    this.abort.abort();
  }
}
