import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type CallEvent,
  type CallEventSink,
  type SourceProblem,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import { type SiprecOptionsInput, SiprecOptionsSchema, SiprecSource } from '../../src/index.js';

/** A sink that keeps what it receives and lets a test wait for it. */
export class TestSink implements CallEventSink {
  readonly events: CallEvent[] = [];
  readonly problems: SourceProblem[] = [];

  event(event: CallEvent): void {
    this.events.push(event);
  }

  problem(problem: SourceProblem): void {
    this.problems.push(problem);
  }

  async until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => `${e.type} ${e.callId}`))}; problems: ${JSON.stringify(this.problems.map((p) => p.message))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  ended(callId: string): CallEvent | undefined {
    return this.events.find((e) => e.type === 'call.ended' && e.callId === callId);
  }
}

/** RTP ports for tests: a range of its own per process, so parallel suites rarely meet (taken ports are skipped). */
export function rtpRange(): { rtpPortMin: number; rtpPortMax: number } {
  const base = 20000 + (process.pid % 200) * 100;
  return { rtpPortMin: base, rtpPortMax: base + 2999 };
}

export interface Running {
  source: SiprecSource;
  sink: TestSink;
  dir: string;
  port: number;
  stop(): Promise<void>;
}

/** A recorder on 127.0.0.1 with ephemeral SIP ports and its own recordings folder. */
export async function startRecorder(options: SiprecOptionsInput = {}): Promise<Running> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-test-'));
  const source = new SiprecSource(
    SiprecOptionsSchema.parse({ host: '127.0.0.1', port: 0, ...rtpRange(), recordingsDir: dir, ...options }),
    { clock: systemClock, logger: silentLogger, dataDir: dir },
  );
  const sink = new TestSink();
  await source.start(sink);
  return {
    source,
    sink,
    dir,
    port: source.ports.udp ?? source.ports.tcp ?? 0,
    async stop() {
      await source.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
