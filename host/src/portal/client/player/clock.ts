/**
 * The player's master clock. The call audio drives it where the audio covers the time (so sound is never
 * pulled around); elsewhere, or without audio, a timer does. No DOM: the audio element is reached through
 * AudioLike and the time source is passed in, so the clock runs under test with a fake of each.
 */

/** The part of HTMLAudioElement the clock uses. */
export interface AudioLike {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  playbackRate: number;
  play(): Promise<void>;
  pause(): void;
}

export interface ClockOptions {
  /** Length of the timeline in seconds. */
  total: number;
  /** Monotonic seconds (performance.now() / 1000 in the browser). */
  now: () => number;
  /** The call audio and where it starts on the timeline. */
  audio?: { element: AudioLike; offset: number } | undefined;
  /** Called when the browser refuses to play the audio (autoplay policy); the clock is paused by then. */
  onRefused?: () => void;
}

/** The audio's last 50 ms count as ended, so the timer takes over before the element stops on its own. */
const AUDIO_TAIL = 0.05;

export class PlayerClock {
  readonly total: number;
  private readonly now: () => number;
  private readonly audio: AudioLike | undefined;
  private readonly audioOffset: number;
  private readonly onRefused: () => void;
  private mode: 'timer' | 'audio' = 'timer';
  private base = 0;
  private since = 0;
  private rateValue = 1;
  private playingValue = false;

  constructor(options: ClockOptions) {
    this.total = options.total;
    this.now = options.now;
    this.audio = options.audio?.element;
    this.audioOffset = options.audio?.offset ?? 0;
    this.onRefused = options.onRefused ?? (() => {});
  }

  get playing(): boolean {
    return this.playingValue;
  }

  get rate(): number {
    return this.rateValue;
  }

  /** Whether the audio drives the clock right now (for tests and diagnostics). */
  get source(): 'timer' | 'audio' {
    return this.mode;
  }

  /** The current call time in seconds, within [0, total]. */
  time(): number {
    if (this.mode === 'audio' && this.audio) return this.clamp(this.audioOffset + this.audio.currentTime);
    return this.playingValue ? this.clamp(this.base + (this.now() - this.since) * this.rateValue) : this.base;
  }

  play(): void {
    if (this.time() >= this.total - AUDIO_TAIL) this.seek(0);
    this.playingValue = true;
    if (this.mode === 'audio') this.startAudio();
    else this.since = this.now();
  }

  pause(): void {
    const t = this.time();
    this.playingValue = false;
    if (this.mode === 'timer') this.base = t;
    else this.audio?.pause();
  }

  seek(to: number): void {
    const t = this.clamp(to);
    if (this.audioCovers(t)) this.toAudio(t);
    else this.toTimer(t);
  }

  setRate(rate: number): void {
    const t = this.time();
    this.rateValue = rate > 0 && Number.isFinite(rate) ? rate : 1;
    if (this.audio) this.audio.playbackRate = this.rateValue;
    if (this.mode === 'timer') {
      this.base = t;
      this.since = this.now();
    }
  }

  /**
   * Called every frame or so: hands over from the timer to the audio when the audio begins, and stops at the
   * end of the timeline. Returns true when playback just reached the end.
   */
  tick(): boolean {
    if (!this.playingValue) return false;
    const t = this.time();
    if (this.mode === 'timer' && this.audioCovers(t)) this.toAudio(t);
    if (t >= this.total - 0.02) {
      this.playingValue = false;
      this.toTimer(this.total);
      return true;
    }
    return false;
  }

  /** The audio's length became known: if the clock sits inside it, the audio takes over. */
  audioReady(): void {
    if (this.mode === 'timer' && this.audioCovers(this.time())) this.toAudio(this.time());
  }

  /** The audio ran out before the timeline did: the timer carries on from its end. */
  audioEnded(): void {
    if (this.playingValue) this.toTimer(this.audioOffset + this.audioLength());
  }

  private clamp(t: number): number {
    return Math.max(0, Math.min(this.total, t));
  }

  private audioLength(): number {
    return this.audio && Number.isFinite(this.audio.duration) ? this.audio.duration : 0;
  }

  private audioCovers(t: number): boolean {
    const length = this.audioLength();
    return length > 0 && t >= this.audioOffset && t < this.audioOffset + length - AUDIO_TAIL;
  }

  private toTimer(t: number): void {
    this.mode = 'timer';
    this.base = t;
    this.since = this.now();
    if (this.audio && !this.audio.paused) this.audio.pause();
  }

  private toAudio(t: number): void {
    if (!this.audio) return;
    this.mode = 'audio';
    this.audio.currentTime = t - this.audioOffset;
    this.audio.playbackRate = this.rateValue;
    if (this.playingValue) this.startAudio();
  }

  private startAudio(): void {
    this.audio?.play().catch(() => {
      if (this.mode !== 'audio') return;
      const t = this.time();
      this.playingValue = false;
      this.base = t;
      this.onRefused();
    });
  }
}
