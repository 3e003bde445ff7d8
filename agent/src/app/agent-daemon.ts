// tsyringe needs the Reflect polyfill before it loads; every module that imports it at runtime loads it first.
import 'reflect-metadata';
import type { Logger } from '@deskrec/core';
import { inject, injectable } from 'tsyringe';
import { Agent } from '../agent.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { LoginReader } from '../session/login-watcher.js';
import { AGENT_TOKENS } from './tokens.js';

/** `deskrec-agent run`: the agent with its dependencies from the container, and its start/stop lines. */
@injectable()
export class AgentDaemon {
  readonly agent: Agent;

  constructor(
    @inject(AGENT_TOKENS.Config) private readonly config: AgentConfig,
    @inject(AGENT_TOKENS.Logger) logger: Logger,
    @inject(AGENT_TOKENS.LoginReader) readLogin: LoginReader,
    @inject(AGENT_TOKENS.Console) private readonly say: (line: string) => void,
  ) {
    this.agent = new Agent({ config, logger, readLogin });
  }

  async start(): Promise<void> {
    await this.agent.start();
    const { controller } = this.config;
    this.say(
      `deskrec-agent ${this.agent.workstationId} running; controller ${controller.primary}${controller.secondary ? `, ${controller.secondary}` : ''}${controller.tls ? ' (TLS)' : ''}`,
    );
  }

  stop(): Promise<void> {
    return this.agent.stop();
  }
}
