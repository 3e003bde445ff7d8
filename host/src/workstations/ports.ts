import type {
  CaptureSettings,
  HostMessage,
  Monitor,
  WorkstationState,
  WorkstationStore,
} from '@deskrec/core';

/** What the controller learns about a connected agent; persisted so the portal can show it. */
export interface WorkstationPresence {
  tenantId: string;
  workstationId: string;
  computerName: string;
  domain?: string;
  os: { platform: string; release: string };
  agentVersion: string;
  captureBackend?: string;
  monitors: Monitor[];
  login: string | null;
  remoteAddress?: string;
  at: Date;
}

/**
 * The controller's view of the database: core's WorkstationStore (for the auth plugin) plus presence
 * bookkeeping and the settings an agent needs. Implemented over kysely in db/workstation-directory.ts.
 */
export interface WorkstationDirectory extends WorkstationStore {
  recordConnected(presence: WorkstationPresence): Promise<void>;
  recordLogin(tenantId: string, workstationId: string, login: string | null, at: Date): Promise<void>;
  recordSeen(tenantId: string, workstationId: string, at: Date): Promise<void>;
  recordDisconnected(tenantId: string, workstationId: string, at: Date): Promise<void>;
  /** What the agent's spool reported (a file it could not upload, its health), kept with the workstation. */
  recordSpoolReport?(tenantId: string, workstationId: string, report: SpoolReport): Promise<void>;
  /** Current state, e.g. after an admin changed it while the agent was connected. */
  stateOf(tenantId: string, workstationId: string): Promise<WorkstationState | undefined>;
  /** Workstations of the tenant waiting for authorization (the enrollment cap). */
  countPending(tenantId: string): Promise<number>;
  captureSettings(tenantId: string): Promise<{ settings: CaptureSettings; uploadUrl: string }>;
  /** Why the tenant's agents are refused (it is suspended or on its way out), or undefined when active. */
  tenantRefusal?(tenantId: string): Promise<string | undefined>;
}

/** Live connections to agents, as the admin API and the orchestrator use them. */
export interface AgentChannel {
  isOnline(tenantId: string, workstationId: string): boolean;
  /** Sends a message to a connected agent; false when it is not connected here. */
  send(tenantId: string, workstationId: string, message: HostMessage): boolean;
  /** Pushes a changed authorization state at once; a forbidden or deleted workstation is then disconnected. */
  pushAuthorization(tenantId: string, workstationId: string, state: WorkstationState | 'deleted'): void;
  /** Pushes the tenant's current capture settings to all its connected, authorized agents. */
  pushSettings(tenantId: string): Promise<void>;
  /** Closes every connection of the tenant (it was suspended or deleted); returns how many closed. */
  disconnectTenant?(tenantId: string, reason: string): number;
}

/** What an agent's spool reported: a file it could not upload, or its own health. */
export type SpoolReport = Omit<Extract<import('@deskrec/core').AgentMessage, { type: 'spool.report' }>, 'v'>;

/** Messages from agents that other host features (orchestrator, uploads) react to. */
export type AgentEvent =
  | {
      type: 'connected';
      tenantId: string;
      workstationId: string;
      state: WorkstationState;
      login: string | null;
      /** Segments the agent uploaded and still keeps until a host says they are stored. */
      pendingSegments?: import('@deskrec/core').SegmentRef[];
    }
  | { type: 'disconnected'; tenantId: string; workstationId: string }
  | { type: 'session'; tenantId: string; workstationId: string; login: string | null }
  /** An admin changed the state of a connected workstation (AgentChannel.pushAuthorization). */
  | { type: 'authorization'; tenantId: string; workstationId: string; state: WorkstationState | 'deleted' }
  | {
      type: 'capture';
      tenantId: string;
      workstationId: string;
      message: Extract<
        import('@deskrec/core').AgentMessage,
        {
          type:
            | 'capture.started'
            | 'capture.segment'
            | 'capture.stopped'
            | 'capture.failed'
            | 'capture.refused';
        }
      >;
    };

export type AgentEventListener = (event: AgentEvent) => void;
