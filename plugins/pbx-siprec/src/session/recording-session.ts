import type dgram from 'node:dgram';
import type { AgentIdentity } from '@deskrec/core';
import { type CallRecorder, SAMPLE_RATE, type StreamTrack } from '../media/call-recorder.js';
import type { RecordedCodec } from '../media/codecs.js';
import { parseRtp } from '../media/rtp-packet.js';
import type { Remote } from '../sip/transport.js';
import type { RecordingMetadata } from './rs-metadata.js';
import type { SdpMedia } from './sdp.js';

/** One m= line of the recording session and, when it is recorded, its RTP socket and track. */
export interface SessionStream {
  media: SdpMedia;
  port: number;
  codec?: { pt: number; name: RecordedCodec };
  socket?: dgram.Socket;
  track?: StreamTrack;
  /** The address the first packet came from; later packets from elsewhere are ignored (symmetric latching). */
  latched?: string;
}

/** A SIPREC recording session (RFC 7866 §3): one dialog with the SRC, its streams and the call it records. */
export class RecordingSession {
  streams: SessionStream[] = [];
  metadata: RecordingMetadata | undefined;
  agent: AgentIdentity | undefined;
  /** The agent's participant id in the metadata, for the channel each stream goes to. */
  agentParticipant: string | undefined;
  /** Call id reported in events: the communication session's id from the metadata, else the SIP Call-ID. */
  callId: string;
  sdpVersion = 1;
  acked = false;
  /** The SRC paused the recording (all streams inactive). */
  paused = false;
  ended = false;
  /** The last final response to an INVITE, sent again when the INVITE is retransmitted. */
  lastInviteResponse: { cseq: number; data: Buffer } | undefined;
  retransmit: NodeJS.Timeout | undefined;
  outCseq = 1;

  constructor(
    readonly sipCallId: string,
    readonly localTag: string,
    public remote: Remote,
    /** The SRC's From header (our To in requests we send). */
    readonly remoteFrom: string,
    /** The To header of our answers (with our tag; our From in requests we send). */
    readonly localTo: string,
    public remoteTarget: string,
    readonly recorder: CallRecorder,
    readonly now: () => number,
  ) {
    this.callId = sipCallId;
  }

  /** Channel 0 for what the agent sends, 1 for the other side; by m-line order when the metadata does not say. */
  channelFor(media: SdpMedia, index: number): number {
    const m = this.metadata;
    if (m && media.label) {
      const streamId = [...m.streamLabels].find(([, label]) => label === media.label)?.[0];
      const sender = streamId ? m.participants.find((p) => p.sends.includes(streamId)) : undefined;
      if (sender) return sender.id === this.agentParticipant ? 0 : 1;
    }
    return index === 0 ? 0 : 1;
  }

  /** Starts receiving on a stream's socket. */
  listen(stream: SessionStream): void {
    const { socket, track } = stream;
    if (!socket || !track) return;
    socket.on('message', (data, rinfo) => {
      const from = `${rinfo.address}:${rinfo.port}`;
      if (stream.latched === undefined) stream.latched = from;
      else if (stream.latched !== from) {
        track.stats.ignored++;
        return;
      }
      const packet = parseRtp(data);
      if (packet) track.push(data, packet, this.now());
    });
  }

  closeStream(stream: SessionStream): void {
    if (stream.track) this.recorder.removeTrack(stream.track);
    stream.socket?.close();
    delete stream.socket;
  }

  closeAll(): void {
    clearTimeout(this.retransmit);
    this.retransmit = undefined;
    for (const s of this.streams) s.socket?.close();
    for (const s of this.streams) delete s.socket;
  }

  /** Seconds of audio written so far. */
  get seconds(): number {
    return this.recorder.cursor / SAMPLE_RATE;
  }
}
