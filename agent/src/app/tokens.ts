import { TOKENS } from '@deskrec/core';
import type { InjectionToken } from 'tsyringe';
import type { AgentConfig } from '../config/agent-config.js';
import type { InstallEnvironment } from '../install/service-installer.js';
import type { LoginReader } from '../session/login-watcher.js';

/** The agent's DI tokens, beside core's Logger and Clock; resolved with explicit `@inject` (no metadata). */
export const AGENT_TOKENS = {
  ...TOKENS,
  Config: Symbol.for('deskrec.agent.Config') as InjectionToken<AgentConfig>,
  /** Who is at the console: the configured login, or the OS. */
  LoginReader: Symbol.for('deskrec.agent.LoginReader') as InjectionToken<LoginReader>,
  /** Where human-readable lines for the admin go (stdout of `run`). */
  Console: Symbol.for('deskrec.agent.Console') as InjectionToken<(line: string) => void>,
  /** The machine's service manager and how to start this agent again (install / uninstall). */
  InstallEnvironment: Symbol.for('deskrec.agent.InstallEnvironment') as InjectionToken<InstallEnvironment>,
} as const;
