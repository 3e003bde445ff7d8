import 'reflect-metadata';
import { type Clock, type Logger, silentLogger, systemClock } from '@deskrec/core';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import type { AgentConfig } from '../config/agent-config.js';
import { currentEnvironment, type InstallEnvironment } from '../install/service-installer.js';
import { createAgentLogger } from '../logging/agent-logger.js';
import { readConsoleLogin } from '../session/current-login.js';
import type { LoginReader } from '../session/login-watcher.js';
import { AGENT_TOKENS } from './tokens.js';

export interface AgentOverrides {
  logger?: Logger;
  clock?: Clock;
  readLogin?: LoginReader;
  console?: (line: string) => void;
  installEnvironment?: InstallEnvironment;
  /** Whether this process is a single executable (its own path starts it again). */
  isSea?: boolean;
}

/**
 * The agent's one container: configuration, logger, clock, login reader and console sink as values; the
 * services (AgentDaemon, ServiceInstaller) are resolved from it by class. Each call gets its own child
 * container, so tests and embeddings never share state through the global one.
 */
export function createAgentContainer(
  config: AgentConfig | undefined,
  overrides: AgentOverrides = {},
): DependencyContainer {
  const c = rootContainer.createChildContainer();
  // Without a config (uninstall) only the services that need none can be resolved.
  if (config) c.register(AGENT_TOKENS.Config, { useValue: config });
  c.register(AGENT_TOKENS.Logger, {
    useValue: overrides.logger ?? (config ? createAgentLogger(config) : silentLogger),
  });
  c.register(AGENT_TOKENS.Clock, { useValue: overrides.clock ?? systemClock });
  const fixed = config?.login;
  c.register(AGENT_TOKENS.LoginReader, {
    useValue: overrides.readLogin ?? (fixed ? async () => fixed : () => readConsoleLogin()),
  });
  c.register(AGENT_TOKENS.InstallEnvironment, {
    useValue: overrides.installEnvironment ?? currentEnvironment(overrides.isSea ?? false),
  });
  c.register(AGENT_TOKENS.Console, {
    useValue: overrides.console ?? ((line: string) => process.stdout.write(`${line}\n`)),
  });
  return c;
}
