import { type CallEventInput, CallEventSchema } from '../domain/call-event.js';
import type { Clock } from '../plugin/clock.js';
import type { Logger } from '../plugin/logger.js';
import type { CallEventSink } from '../ports/call-event-source.js';

/** Longest excerpt of bad input kept in a problem report. */
const EXCERPT_CHARS = 200;

/**
 * The last step of every connector: validates each event against CallEventSchema, hands it to the sink,
 * remembers when the last one went out, and reports problems. A throwing sink is logged, never fatal.
 */
export class EventRelay {
  private sink: CallEventSink | undefined;
  lastEventAt: Date | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  attach(sink: CallEventSink): void {
    this.sink = sink;
  }

  /** After stop(): nothing reaches the sink any more. */
  detach(): void {
    this.sink = undefined;
  }

  /** Returns false when the event failed validation (it was reported as a problem instead). */
  emit(input: CallEventInput): boolean {
    const parsed = CallEventSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.problem(
        `call event failed validation: ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`,
        JSON.stringify(input),
      );
      return false;
    }
    if (!this.sink) return false;
    this.lastEventAt = this.clock.now();
    try {
      this.sink.event(parsed.data);
    } catch (error) {
      this.logger.error({ err: error }, 'call-event sink threw');
    }
    return true;
  }

  problem(message: string, input?: string): void {
    const excerpt = input?.slice(0, EXCERPT_CHARS);
    this.logger.warn({ input: excerpt }, message);
    try {
      this.sink?.problem({ message, ...(excerpt !== undefined ? { input: excerpt } : {}) });
    } catch (error) {
      this.logger.error({ err: error }, 'call-event sink threw');
    }
  }
}
