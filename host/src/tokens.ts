import type { AuthPolicy } from '@deskrec/core';
import type { InjectionToken } from 'tsyringe';
import type { AgentChannel, WorkstationDirectory } from './workstations/ports.js';

/** Host-internal DI tokens (core's TOKENS cover logger, clock and the plugin registry). */
export const HOST_TOKENS = {
  Config: Symbol.for('deskrec.host.Config') as InjectionToken<unknown>,
  Database: Symbol.for('deskrec.host.Database') as InjectionToken<unknown>,
  WorkstationDirectory: Symbol.for(
    'deskrec.host.WorkstationDirectory',
  ) as InjectionToken<WorkstationDirectory>,
  AgentChannel: Symbol.for('deskrec.host.AgentChannel') as InjectionToken<AgentChannel>,
  AuthPolicy: Symbol.for('deskrec.host.AuthPolicy') as InjectionToken<AuthPolicy>,
} as const;
