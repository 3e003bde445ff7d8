import type { CallEvent } from '@deskrec/core';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { AgentEvent } from '../workstations/ports.js';
import type { AgentEvents } from './agent-events.js';
import type { CallEvents } from './call-events.js';
import type { TimeLimits } from './time-limits.js';

export { CAPTURE_STOP_JOB } from './time-limits.js';

/**
 * Turns call events into captures: finds the agent's user and workstation, starts one capture per
 * workstation however many calls overlap, keeps it through wrap-up, moves it with a transfer and records
 * every decision on the call. The database is the record, so events can arrive twice, late or in any order.
 *
 * Calls are decided from memory (users, settings, connected workstations, running captures, call legs):
 * `capture.start` and `capture.stop` go out as soon as the phone system reports the call, however busy the
 * database is, and the database is written right after. Work is queued per call and per workstation (see
 * TaskQueue), so each sees its events in order while unrelated calls proceed side by side; what memory
 * cannot settle (a repeated or late event, a sign-in) is decided from the database in turn.
 *
 * The concerns live in their own classes, sharing the queue and memory: call events (CallEvents), agent
 * events (AgentEvents), what is sent to agents (CaptureCommands), calls waiting for their agent
 * (WaitingCalls) and wrap-up and maximum duration (TimeLimits).
 */
@injectable()
export class Orchestrator {
  constructor(
    @inject(HOST_TOKENS.CallEvents) private readonly calls: CallEvents,
    @inject(HOST_TOKENS.AgentEvents) private readonly agents: AgentEvents,
    @inject(HOST_TOKENS.TimeLimits) private readonly limits: TimeLimits,
  ) {}

  handleCallEvent(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    return this.calls.handle(tenantId, sourceId, event);
  }

  handleAgentEvent(event: AgentEvent): Promise<void> {
    return this.agents.handle(event);
  }

  /** The durable capture-stop job's handler: wrap-up over, or the maximum recording duration reached. */
  captureStopJob(): (job: Job) => Promise<void> {
    return (job) => this.limits.runStopJob(job);
  }
}
