import { type Logger, TOKENS } from '@deskrec/core';
import { inject, injectable } from '../di.js';

/** Every decision on a call, one log line each (the System Log and the call page's history read them). */
@injectable()
export class DecisionLog {
  readonly logger: Logger;

  constructor(@inject(TOKENS.Logger) logger: Logger) {
    this.logger = logger.child({ component: 'orchestrator' });
  }

  call(callId: string, decision: string, detail: Record<string, unknown> = {}): void {
    this.logger.info({ callId, decision, ...detail }, `call ${callId}: ${decision}`);
  }
}
