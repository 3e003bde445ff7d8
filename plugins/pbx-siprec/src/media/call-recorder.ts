import os from 'node:os';
import { type RecordedCodec, ticksPerFrame } from './codecs.js';
import { g711Table } from './g711.js';
import { OpusStreamDecoder } from './opus-stream-decoder.js';
import type { RtpPacket } from './rtp-packet.js';
import type { WavFile } from './wav-file.js';

export const SAMPLE_RATE = 8000;
const FRAMES_PER_MS = SAMPLE_RATE / 1000;
const MAX_MISORDER = 100;
const BIG_ENDIAN = os.endianness() === 'BE';
/** Packets kept while an Opus decoder loads; more would be older than any jitter buffer anyway. */
const MAX_WAITING = 50;

export interface TrackStats {
  packets: number;
  /** Packets that arrived after their place had been written (older than the jitter buffer). */
  late: number;
  /** Packets of a payload type other than the negotiated one (e.g. telephone-event), or undecodable. */
  ignored: number;
}

interface Waiting {
  data: Buffer;
  packet: RtpPacket;
  nowMs: number;
}

/**
 * One received stream: a ring of samples ahead of the recorder's write position. A packet's place comes from
 * its RTP timestamp relative to the stream's previous packet, so reordered packets land where they belong and
 * missing ones leave silence; the first packet (and a new SSRC or a clock jump) is placed by arrival time.
 */
export class StreamTrack {
  readonly stats: TrackStats = { packets: 0, late: 0, ignored: 0 };
  /** G.711's decode table, or the Opus decoder: one of the two. */
  private table: Int16Array | undefined;
  private opus: OpusStreamDecoder | undefined;
  private ticks = 1;
  private waiting: Waiting[] = [];
  private ssrc: number | undefined;
  private lastSeq = 0;
  private lastTs = 0;
  private lastPos = 0;
  /** One past the newest sample placed, in recorder frames. */
  highest = 0;

  constructor(
    private readonly recorder: CallRecorder,
    readonly channel: number,
    readonly ring: Int16Array,
    public payloadType: number,
    codec: RecordedCodec,
  ) {
    this.useCodec(codec);
  }

  /** A re-INVITE changed the stream: take the codec, and place the next packet by its arrival. */
  renegotiate(payloadType: number, codec: RecordedCodec): void {
    this.payloadType = payloadType;
    this.useCodec(codec);
    this.ssrc = undefined;
  }

  /** Frees the Opus decoder, if any. */
  close(): void {
    this.opus?.free();
    this.opus = undefined;
    this.waiting = [];
  }

  private useCodec(codec: RecordedCodec): void {
    this.ticks = ticksPerFrame(codec);
    if (codec !== 'OPUS') {
      this.close();
      this.table = g711Table(codec);
      return;
    }
    this.table = undefined;
    if (this.opus) return;
    const opus = new OpusStreamDecoder();
    this.opus = opus;
    void opus.loaded.then(() => {
      if (this.opus !== opus) return;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) this.push(w.data, w.packet, w.nowMs);
    });
  }

  push(data: Buffer, packet: RtpPacket, nowMs: number): void {
    if (packet.payloadType !== this.payloadType) {
      this.stats.ignored++;
      return;
    }
    const opus = this.opus;
    let samples: Int16Array | undefined;
    if (opus) {
      if (!opus.ready) {
        if (this.waiting.length < MAX_WAITING) this.waiting.push({ data: Buffer.from(data), packet, nowMs });
        return;
      }
      samples = opus.decode(data.subarray(packet.payloadStart, packet.payloadEnd));
      if (!samples) {
        this.stats.ignored++;
        return;
      }
    }
    this.stats.packets++;
    const cursor = this.recorder.cursor;
    const cap = this.ring.length;
    const count = samples ? samples.length : packet.payloadEnd - packet.payloadStart;
    let pos: number;
    let newer = true;
    if (this.ssrc !== packet.ssrc) {
      pos = this.recorder.frameAt(nowMs);
      this.ssrc = packet.ssrc;
    } else {
      pos = this.lastPos + Math.round(((packet.timestamp - this.lastTs) | 0) / this.ticks);
      const step = ((packet.sequence - this.lastSeq) << 16) >> 16;
      // Far behind in sequence is a restarted stream, not a late packet (RFC 3550 A.1's MAX_MISORDER).
      newer = step > 0 || step < -MAX_MISORDER;
      // A newer packet outside the window means the sender's clock jumped or fell behind: place it by arrival.
      if (newer && (pos < cursor || pos + count > cursor + cap)) pos = this.recorder.frameAt(nowMs);
      else if (!newer && pos + count <= cursor) {
        this.stats.late++;
        return;
      }
    }
    if (pos + count > cursor + cap) pos = cursor + cap - count;
    if (newer) {
      this.lastPos = pos;
      this.lastTs = packet.timestamp;
      this.lastSeq = packet.sequence;
    }
    const table = this.table;
    const ring = this.ring;
    let i = 0;
    if (pos < cursor) {
      i = cursor - pos;
      this.stats.late++;
    }
    // Two straight runs instead of a modulo per sample: up to the ring's end, then from its start.
    let at = (pos + i) % cap;
    const src = packet.payloadStart;
    while (i < count) {
      const run = Math.min(count - i, cap - at);
      if (table) for (let k = 0; k < run; k++) ring[at + k] = table[data[src + i + k] as number] as number;
      else ring.set((samples as Int16Array).subarray(i, i + run), at);
      i += run;
      at = 0;
    }
    if (pos + count > this.highest) this.highest = pos + count;
    this.recorder.lastPacketAt = nowMs;
  }
}

/**
 * Turns a call's streams into interleaved stereo PCM: channel 0 the agent's side, channel 1 the other
 * party's. Audio is written once it is `jitterMs` old, so reordered packets still find their place; a channel
 * without packets is silent.
 */
export class CallRecorder {
  /** Recorder frames written so far. */
  cursor = 0;
  lastPacketAt: number;
  private readonly tracks: StreamTrack[] = [];
  private readonly ringFrames: number;
  private lastHeaderAt: number;
  private lastTickAt: number;

  constructor(
    readonly file: WavFile,
    private readonly startMs: number,
    private readonly jitterMs: number,
    private readonly headerRewriteMs: number,
  ) {
    this.ringFrames = Math.max(2 * SAMPLE_RATE, Math.ceil(4 * jitterMs * FRAMES_PER_MS));
    this.lastPacketAt = startMs;
    this.lastHeaderAt = startMs;
    this.lastTickAt = startMs;
  }

  /**
   * The frame for audio arriving now. The file's frame 0 is `jitterMs` before the recorder started, so even
   * the first packet has the jitter buffer's room for packets that were sent before it.
   */
  frameAt(nowMs: number): number {
    return Math.max(this.cursor, Math.floor((nowMs - this.startMs + this.jitterMs) * FRAMES_PER_MS));
  }

  addTrack(channel: number, payloadType: number, codec: RecordedCodec): StreamTrack {
    const track = new StreamTrack(this, channel, new Int16Array(this.ringFrames), payloadType, codec);
    this.tracks.push(track);
    return track;
  }

  removeTrack(track: StreamTrack): void {
    const i = this.tracks.indexOf(track);
    if (i >= 0) this.tracks.splice(i, 1);
    track.close();
  }

  get stats(): TrackStats {
    const total: TrackStats = { packets: 0, late: 0, ignored: 0 };
    for (const t of this.tracks) {
      total.packets += t.stats.packets;
      total.late += t.stats.late;
      total.ignored += t.stats.ignored;
    }
    return total;
  }

  /**
   * Writes what is older than the jitter buffer; called on the recorder's timer. It writes up to the previous
   * tick only: after a stalled event loop the timer runs before the packets that waited in the socket, and
   * those must still find their place.
   */
  tick(nowMs: number): void {
    const upTo = this.lastTickAt;
    this.lastTickAt = nowMs;
    this.flushTo(Math.floor((upTo - this.startMs) * FRAMES_PER_MS));
    if (nowMs - this.lastHeaderAt >= this.headerRewriteMs) {
      this.lastHeaderAt = nowMs;
      this.file.rewriteHeader();
    }
  }

  /** Writes everything received, then closes the file. */
  async finish(): Promise<void> {
    let end = this.cursor;
    for (const t of this.tracks) end = Math.max(end, t.highest);
    this.flushTo(end);
    for (const t of this.tracks) t.close();
    await this.file.close();
  }

  private flushTo(target: number): void {
    while (target > this.cursor) {
      const frames = Math.min(target - this.cursor, this.ringFrames);
      const cap = this.ringFrames;
      // Interleaved stereo, summed in place (a channel may carry several streams), clamped to 16 bits.
      const out = new Int16Array(frames * 2);
      const start = this.cursor % cap;
      const first = Math.min(frames, cap - start);
      for (const track of this.tracks) {
        const ring = track.ring;
        const ch = track.channel === 0 ? 0 : 1;
        for (let i = 0; i < first; i++) {
          const v = (out[2 * i + ch] as number) + (ring[start + i] as number);
          out[2 * i + ch] = Math.min(32767, Math.max(v, -32768));
        }
        for (let i = first; i < frames; i++) {
          const v = (out[2 * i + ch] as number) + (ring[i - first] as number);
          out[2 * i + ch] = Math.min(32767, Math.max(v, -32768));
        }
        ring.fill(0, start, start + first);
        if (frames > first) ring.fill(0, 0, frames - first);
      }
      const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      // WAV samples are little-endian; typed arrays use the machine's order.
      if (BIG_ENDIAN) bytes.swap16();
      this.file.append(bytes);
      this.cursor += frames;
    }
  }
}
