import type { CaptureSettings } from '../domain/settings.js';

export interface CaptureCapabilities {
  /** Can capture each monitor of a multi-monitor desktop. */
  multiMonitor: boolean;
  /** Input formats this backend can drive on the current platform, e.g. `x11grab`, `lavfi`. */
  inputs: readonly string[];
}

export interface Monitor {
  /** Stable id within the workstation, e.g. `0`, `1`. */
  id: string;
  name?: string;
  width: number;
  height: number;
  x: number;
  y: number;
  primary: boolean;
}

/** A finished, playable file of one monitor. */
export interface CapturedSegment {
  captureId: string;
  /**
   * Per monitor, in order, from the request's `firstIndex`. Part of the segment's identity: unique within
   * the capture, also for files recovered after the agent process died.
   */
  index: number;
  monitorId: string;
  path: string;
  startedAt: Date;
  durationMs: number;
  bytes: number;
  sha256: string;
}

export interface CaptureRequest {
  captureId: string;
  settings: CaptureSettings;
  /** Folder where segment files are written. */
  outputDir: string;
  /** Index of the first segment (default 0): a capture continued under the same id numbers on. */
  firstIndex?: number;
}

/** What a capture folder held when a previous agent process left it (see CaptureBackend.recover). */
export interface RecoveredCapture {
  /** Playable files nobody had reported, with their identity, checksum and timing. */
  segments: CapturedSegment[];
  /** Files that hold nothing to play; the backend deleted them. */
  discarded: { path: string; bytes: number; reason: string }[];
}

export interface CaptureEnd {
  reason: 'stopped' | 'failed';
  error?: string;
  /** Last lines of the encoder's diagnostic output when it failed. */
  stderrTail?: string[];
}

export interface CaptureSession {
  readonly captureId: string;
  /** Called once per finished segment, including the last one after stop or failure. */
  onSegment(listener: (segment: CapturedSegment) => void): void;
  /** Resolves when the session has ended and every segment was reported. */
  readonly ended: Promise<CaptureEnd>;
  /** Stops cleanly: the last segment is finalized and playable. */
  stop(): Promise<CaptureEnd>;
}

/** Records the screen on the agent's workstation. */
export interface CaptureBackend {
  readonly capabilities: CaptureCapabilities;
  probeMonitors(): Promise<Monitor[]>;
  start(request: CaptureRequest): Promise<CaptureSession>;
  /** A short description for logs and doctor output, e.g. which encoder binary is used. */
  describe(): string;
  /**
   * Called by a restarted agent for each capture folder a previous process left: ends any encoder that
   * process left running there (it finalizes its file first), then reports the files not in `known`
   * (file names already reported). Optional: without it the agent recovers the files on its own.
   */
  recover?(request: {
    captureId: string;
    outputDir: string;
    known: ReadonlySet<string>;
  }): Promise<RecoveredCapture>;
}
