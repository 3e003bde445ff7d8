import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CallEvent, CallEventSchema, type Clock, type Logger, type SourceProblem } from '@deskrec/core';
import { CallRecorder, type TrackStats } from './media/call-recorder.js';
import { NoFreePortError, PortAllocator } from './media/port-allocator.js';
import { finishLeftovers, WavFile } from './media/wav-file.js';
import type { SiprecOptions } from './options.js';
import { findAgent } from './session/agent-match.js';
import { callEventFor } from './session/call-event.js';
import { BodyError, bodyParts } from './session/multipart.js';
import { RecordingSession, type SessionStream } from './session/recording-session.js';
import { MetadataError, parseRsMetadata, type RecordingMetadata } from './session/rs-metadata.js';
import { buildAnswer, chooseCodec, parseSdp, SdpError, type SdpOffer } from './session/sdp.js';
import { allowList, isAllowed } from './sip/allow-list.js';
import { hostPort, mediaAddress } from './sip/media-address.js';
import {
  header,
  headers,
  parseCSeq,
  parseMessage,
  SipParseError,
  type SipRequest,
  serialize,
} from './sip/message.js';
import { parseNameAddr, tagOf } from './sip/name-addr.js';
import {
  ACCEPT,
  ALLOW,
  byeRequest,
  randomToken,
  responseTo,
  SUPPORTED,
  salvageRequestHeaders,
} from './sip/responses.js';
import { type Remote, SipTransport } from './sip/transport.js';

const T1 = 500;
const T2 = 4000;
const TICK_MS = 100;
const SIP_OPTION_TAGS = new Set(['siprec', 'timer', '100rel', 'replaces']);

export interface ServerEvents {
  event(event: CallEvent): void;
  problem(problem: SourceProblem): void;
}

interface PendingInvite {
  cseq: number;
  cancelled: boolean;
}

/** The SIPREC recording server (SRS, RFC 7866): SIP dialogs with SRCs, their RTP, their recordings. */
export class SiprecServer {
  readonly sessions = new Map<string, RecordingSession>();
  private readonly pending = new Map<string, PendingInvite>();
  private readonly transport: SipTransport;
  private readonly ports: PortAllocator;
  private readonly agentPattern: RegExp;
  private readonly allowed: ReturnType<typeof allowList> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly endings = new Set<Promise<void>>();

  constructor(
    private readonly options: SiprecOptions,
    private readonly recordingsDir: string,
    private readonly out: ServerEvents,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.transport = new SipTransport(options, {
      message: (data, remote) => this.receive(data, remote),
      framingError: (error, head, remote) => this.malformed(error, head ?? Buffer.alloc(0), remote),
    });
    this.ports = new PortAllocator(options.host, options.rtpPortMin, options.rtpPortMax);
    this.agentPattern = new RegExp(options.agentPattern);
    this.allowed = options.allowFrom ? allowList(options.allowFrom) : undefined;
  }

  get boundPorts() {
    return this.transport.ports;
  }

  /** RTP counters over the calls being recorded now. */
  stats(): TrackStats & { calls: number } {
    const total = { calls: this.sessions.size, packets: 0, late: 0, ignored: 0 };
    for (const session of this.sessions.values()) {
      const s = session.recorder.stats;
      total.packets += s.packets;
      total.late += s.late;
      total.ignored += s.ignored;
    }
    return total;
  }

  async start(): Promise<void> {
    await fs.mkdir(this.recordingsDir, { recursive: true });
    // Nothing captured is lost: what a crashed run was writing is finished and reported.
    for (const file of await finishLeftovers(this.recordingsDir, 2)) {
      this.problem(
        `recording left by an earlier run (the recorder stopped during the call), finished: ${file}`,
      );
    }
    await this.transport.start();
    this.running = true;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops listening; calls still running end as if the SRC had hung up, their recordings finished. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.transport.stop();
    for (const session of [...this.sessions.values()]) this.end(session, 'recorder stopped', false);
    await Promise.all([...this.endings]);
  }

  private tick(): void {
    const now = performance.now();
    const timeoutMs = this.options.rtpTimeoutSeconds * 1000;
    for (const session of this.sessions.values()) {
      session.recorder.tick(now);
      if (session.paused) session.recorder.lastPacketAt = now;
      else if (now - session.recorder.lastPacketAt > timeoutMs) this.end(session, 'rtp timeout', true);
    }
  }

  private receive(data: Buffer, remote: Remote): void {
    if (!this.running) return;
    // CRLF keep-alives on UDP (RFC 5626 §4.4.2) carry no message.
    if (data.length <= 4 && /^[\r\n]*$/.test(data.toString('latin1'))) return;
    if (this.allowed && !isAllowed(this.allowed, remote.address)) {
      this.problem(`SIP from ${remote.address} refused (403): not in allowFrom`);
      const salvaged = salvageRequestHeaders(data);
      if (salvaged) this.reply(remote, responseTo({ headers: salvaged }, 403, { toTag: randomToken() }));
      return;
    }
    if (data.length > this.options.maxMessageBytes) {
      this.malformed(new SipParseError('message larger than maxMessageBytes'), data, remote, 413);
      return;
    }
    let message: ReturnType<typeof parseMessage>;
    try {
      message = parseMessage(data);
    } catch (error) {
      if (error instanceof SipParseError) this.malformed(error, data, remote);
      else this.problem(`could not read a SIP message: ${(error as Error).message}`, data);
      return;
    }
    // Answers to the BYEs this server sends need nothing further.
    if (message.kind === 'response') return;
    try {
      this.request(message, remote);
    } catch (error) {
      if (error instanceof SipParseError) this.malformed(error, data, remote);
      else {
        this.logger.error({ error: (error as Error).message }, 'SIP request handling failed');
        this.reply(remote, responseTo(message, 500));
      }
    }
  }

  private malformed(error: Error, data: Buffer, remote: Remote, status = 400): void {
    this.problem(
      `malformed SIP over ${remote.transport} from ${remote.address}:${remote.port}: ${error.message}`,
      data,
    );
    const salvaged = salvageRequestHeaders(data);
    if (!salvaged) return;
    const reason =
      status === 400 ? `Bad Request (${error.message.replace(/[^\x20-\x7e]/g, '').slice(0, 80)})` : undefined;
    this.reply(
      remote,
      responseTo({ headers: salvaged }, status, { toTag: randomToken(), ...(reason ? { reason } : {}) }),
    );
  }

  private problem(message: string, data?: Buffer): void {
    this.out.problem({
      message,
      ...(data ? { input: data.toString('latin1', 0, 200).replace(/[^\x20-\x7e\r\n]/g, '.') } : {}),
    });
  }

  private reply(remote: Remote, response: ReturnType<typeof responseTo>): Buffer {
    const data = serialize(response);
    remote.send(data);
    return data;
  }

  private request(request: SipRequest, remote: Remote): void {
    const callId = header(request, 'call-id') as string;
    // Read the addresses up front: a broken one is the sender's error (400), found before any work starts.
    tagOf(header(request, 'from') as string);
    tagOf(header(request, 'to') as string);
    const contact = header(request, 'contact');
    if (contact && request.method === 'INVITE') parseNameAddr(contact);
    switch (request.method) {
      case 'INVITE':
        void this.invite(request, remote, callId).catch((error: Error) => {
          this.pending.delete(callId);
          if (error instanceof SipParseError) {
            this.malformed(error, serialize(request), remote);
            return;
          }
          this.logger.error({ error: error.message }, 'INVITE handling failed');
          this.reply(remote, responseTo(request, 500, { toTag: randomToken() }));
        });
        return;
      case 'ACK': {
        const session = this.sessions.get(callId);
        if (session) {
          session.acked = true;
          clearTimeout(session.retransmit);
          session.retransmit = undefined;
        }
        return;
      }
      case 'BYE': {
        const session = this.sessions.get(callId);
        if (!session || tagOf(header(request, 'to') as string) !== session.localTag) {
          this.reply(remote, responseTo(request, 481));
          return;
        }
        this.reply(remote, responseTo(request, 200));
        this.end(session, 'BYE', false);
        return;
      }
      case 'CANCEL': {
        const pending = this.pending.get(callId);
        const cseq = parseCSeq(header(request, 'cseq') as string).seq;
        if (pending && pending.cseq === cseq) {
          pending.cancelled = true;
          this.reply(remote, responseTo(request, 200, { toTag: randomToken() }));
        } else if (this.sessions.has(callId)) this.reply(remote, responseTo(request, 200));
        else this.reply(remote, responseTo(request, 481));
        return;
      }
      case 'UPDATE':
        this.update(request, remote, this.sessions.get(callId));
        return;
      case 'OPTIONS':
        this.reply(
          remote,
          responseTo(request, 200, {
            toTag: randomToken(),
            headers: [
              { name: 'allow', value: ALLOW },
              { name: 'accept', value: ACCEPT },
              { name: 'supported', value: SUPPORTED },
            ],
          }),
        );
        return;
      default:
        this.reply(remote, responseTo(request, 405, { headers: [{ name: 'allow', value: ALLOW }] }));
    }
  }

  /** Reads the SDP offer and the rs-metadata of an INVITE; undefined after answering 4xx. */
  private readOffer(
    request: SipRequest,
    remote: Remote,
    toTag: string,
  ): { offer: SdpOffer; metadata?: RecordingMetadata } | undefined {
    const fail = (status: number, why: string) => {
      this.problem(`INVITE ${header(request, 'call-id')} refused (${status}): ${why}`);
      this.reply(
        remote,
        responseTo(request, status, {
          toTag,
          reason: `${status === 400 ? 'Bad Request' : 'Not Acceptable Here'} (${why.slice(0, 80)})`,
        }),
      );
      return undefined;
    };
    const unsupported = headers(request, 'require')
      .flatMap((v) => v.split(','))
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t && !SIP_OPTION_TAGS.has(t));
    if (unsupported.length) {
      this.reply(
        remote,
        responseTo(request, 420, {
          toTag,
          headers: [{ name: 'unsupported', value: unsupported.join(', ') }],
        }),
      );
      return undefined;
    }
    let offer: SdpOffer | undefined;
    let metadata: RecordingMetadata | undefined;
    try {
      for (const part of bodyParts(header(request, 'content-type'), request.body)) {
        if (part.type === 'application/sdp' && !offer) offer = parseSdp(part.content.toString('utf8'));
        else if (part.type === 'application/rs-metadata+xml' && !metadata)
          metadata = parseRsMetadata(part.content.toString('utf8'));
      }
    } catch (error) {
      if (error instanceof BodyError || error instanceof SdpError || error instanceof MetadataError) {
        return fail(400, error.message);
      }
      throw error;
    }
    if (!offer) return fail(488, 'no SDP offer (offerless INVITEs are not supported)');
    if (!offer.media.some((m) => chooseCodec(m))) return fail(488, 'no audio stream in PCMU, PCMA or Opus');
    return { offer, ...(metadata ? { metadata } : {}) };
  }

  private async invite(request: SipRequest, remote: Remote, callId: string): Promise<void> {
    const cseq = parseCSeq(header(request, 'cseq') as string).seq;
    const toTag = tagOf(header(request, 'to') as string);
    const existing = this.sessions.get(callId);
    if (toTag) {
      if (!existing || existing.localTag !== toTag) this.reply(remote, responseTo(request, 481));
      else await this.reinvite(existing, request, remote, cseq);
      return;
    }
    if (existing?.lastInviteResponse && existing.lastInviteResponse.cseq === cseq) {
      remote.send(existing.lastInviteResponse.data);
      return;
    }
    if (this.pending.has(callId)) {
      this.reply(remote, responseTo(request, 100));
      return;
    }
    const localTag = randomToken();
    const read = this.readOffer(request, remote, localTag);
    if (!read) return;
    if (this.sessions.size + this.pending.size >= this.options.maxCalls) {
      this.problem(`INVITE ${callId} refused (503): maxCalls (${this.options.maxCalls}) reached`);
      this.reply(
        remote,
        responseTo(request, 503, { toTag: localTag, headers: [{ name: 'retry-after', value: '5' }] }),
      );
      return;
    }
    const pending: PendingInvite = { cseq, cancelled: false };
    this.pending.set(callId, pending);
    this.reply(remote, responseTo(request, 100));

    const from = header(request, 'from') as string;
    const to = `${header(request, 'to') as string};tag=${localTag}`;
    const contact = header(request, 'contact');
    const target = contact ? parseNameAddr(contact).uri : parseNameAddr(from).uri;
    const file = await WavFile.create(
      path.join(this.recordingsDir, `${safeName(callId)}-${localTag}`),
      2,
      8000,
    );
    const recorder = new CallRecorder(
      file,
      performance.now(),
      this.options.jitterBufferMs,
      this.options.headerRewriteMs,
    );
    const session = new RecordingSession(callId, localTag, remote, from, to, target, recorder, () =>
      performance.now(),
    );
    this.applyMetadata(session, read.metadata);
    try {
      await this.openStreams(session, read.offer);
    } catch (error) {
      this.pending.delete(callId);
      session.closeAll();
      await file.close().catch(() => undefined);
      await fs.rm(file.path, { force: true });
      if (!(error instanceof NoFreePortError)) throw error;
      this.problem(`INVITE ${callId} refused (503): ${error.message}`);
      this.reply(remote, responseTo(request, 503, { toTag: localTag }));
      return;
    }
    this.pending.delete(callId);
    if (pending.cancelled || !this.running) {
      session.closeAll();
      await file.close().catch(() => undefined);
      await fs.rm(file.path, { force: true });
      this.reply(remote, responseTo(request, 487, { toTag: localTag }));
      return;
    }
    this.sessions.set(callId, session);
    this.answer(session, request, remote, cseq);
    if (!session.agent) {
      this.problem(
        `SIPREC session ${callId}: no participant matched agentPattern; recording without call events`,
      );
      return;
    }
    this.emit(session, 'call.started', session.metadata?.startedAt ?? this.clock.now());
  }

  private async reinvite(
    session: RecordingSession,
    request: SipRequest,
    remote: Remote,
    cseq: number,
  ): Promise<void> {
    if (session.lastInviteResponse && session.lastInviteResponse.cseq === cseq) {
      remote.send(session.lastInviteResponse.data);
      return;
    }
    const read = this.readOffer(request, remote, session.localTag);
    if (!read) return;
    session.remote = remote;
    const contact = header(request, 'contact');
    if (contact) session.remoteTarget = parseNameAddr(contact).uri;
    const before = session.agent;
    if (read.metadata) this.applyMetadata(session, read.metadata);
    try {
      await this.openStreams(session, read.offer);
    } catch (error) {
      if (!(error instanceof NoFreePortError)) throw error;
      this.reply(remote, responseTo(request, 503));
      return;
    }
    session.sdpVersion++;
    this.answer(session, request, remote, cseq);
    this.agentChanged(session, before);
  }

  /** A new agent on the same recording (a transfer the SRC reports in new metadata): end one, start the other. */
  private agentChanged(session: RecordingSession, before: RecordingSession['agent']): void {
    if (before?.value === session.agent?.value) return;
    const now = this.clock.now();
    if (before) this.emitFor(session, 'call.ended', now, before, 'agent changed');
    if (session.agent) this.emit(session, 'call.started', now);
  }

  /** UPDATE carrying new rs-metadata (RFC 7866 §9.3); an SDP offer in UPDATE is not taken. */
  private update(request: SipRequest, remote: Remote, session: RecordingSession | undefined): void {
    if (!session || tagOf(header(request, 'to') as string) !== session.localTag) {
      this.reply(remote, responseTo(request, 481));
      return;
    }
    let metadata: RecordingMetadata | undefined;
    try {
      for (const part of bodyParts(header(request, 'content-type'), request.body)) {
        if (part.type === 'application/sdp') {
          this.reply(
            remote,
            responseTo(request, 488, { reason: 'Not Acceptable Here (SDP in UPDATE; use re-INVITE)' }),
          );
          return;
        }
        if (part.type === 'application/rs-metadata+xml')
          metadata = parseRsMetadata(part.content.toString('utf8'));
      }
    } catch (error) {
      if (!(error instanceof BodyError || error instanceof MetadataError)) throw error;
      this.problem(`UPDATE ${session.sipCallId} refused (400): ${error.message}`);
      this.reply(remote, responseTo(request, 400, { reason: `Bad Request (${error.message.slice(0, 80)})` }));
      return;
    }
    this.reply(remote, responseTo(request, 200));
    const before = session.agent;
    this.applyMetadata(session, metadata);
    this.agentChanged(session, before);
  }

  private applyMetadata(session: RecordingSession, metadata: RecordingMetadata | undefined): void {
    if (!metadata) return;
    session.metadata = metadata;
    if (metadata.sessionId && session.callId === session.sipCallId) session.callId = metadata.sessionId;
    const found = findAgent(metadata.participants, {
      pattern: this.agentPattern,
      domains: this.options.agentDomains,
    });
    session.agent = found?.identity;
    session.agentParticipant = found?.participant.id;
  }

  /** Opens a socket for every new recordable stream of the offer; known streams keep theirs. */
  private async openStreams(session: RecordingSession, offer: SdpOffer): Promise<void> {
    // Recording paused (RFC 7866 §8.1.1: every stream inactive): no RTP is expected, so no timeout.
    session.paused = offer.media.every(
      (m) => !chooseCodec(m) || m.port === 0 || m.direction === 'inactive' || m.direction === 'recvonly',
    );
    for (const [i, media] of offer.media.entries()) {
      const codec = chooseCodec(media);
      const known: SessionStream | undefined = session.streams[i];
      const channel = session.channelFor(media, i);
      if (known) {
        known.media = media;
        if (!codec || media.port === 0 || media.direction === 'inactive' || media.direction === 'recvonly') {
          // Paused or removed: the SRC sends nothing on it; keep the socket so a resume reuses the port.
          if (!codec || media.port === 0) {
            session.closeStream(known);
            delete known.codec;
            known.port = 0;
          }
          continue;
        }
        if (known.codec && known.track) {
          known.track.renegotiate(codec.pt, codec.name);
          known.codec = codec;
          delete known.latched;
          continue;
        }
      }
      const stream: SessionStream = known ?? { media, port: 0 };
      session.streams[i] = stream;
      if (!codec || media.port === 0) continue;
      const { socket, port } = await this.ports.open();
      stream.socket = socket;
      stream.port = port;
      stream.codec = codec;
      stream.track = session.recorder.addTrack(channel, codec.pt, codec.name);
      session.listen(stream);
    }
  }

  private mediaAddress(remote: Remote): string {
    return mediaAddress(this.options, remote);
  }

  private answer(session: RecordingSession, request: SipRequest, remote: Remote, cseq: number): void {
    const sdp = buildAnswer(
      this.mediaAddress(remote),
      session.localTag.slice(0, 8).replace(/[^0-9]/g, '1') || '1',
      session.sdpVersion,
      session.streams.map((s) => ({
        media: s.media,
        port: s.socket ? s.port : 0,
        ...(s.codec ? { codec: s.codec } : {}),
      })),
    );
    const transport = remote.transport === 'udp' ? '' : `;transport=${remote.transport}`;
    const data = this.reply(
      remote,
      responseTo(request, 200, {
        toTag: session.localTag,
        headers: [
          {
            name: 'contact',
            value: `<sip:srs@${hostPort(this.mediaAddress(remote), remote.localPort)}${transport}>`,
          },
          { name: 'allow', value: ALLOW },
          { name: 'supported', value: SUPPORTED },
          { name: 'content-type', value: 'application/sdp' },
        ],
        body: Buffer.from(sdp, 'latin1'),
      }),
    );
    session.lastInviteResponse = { cseq, data };
    session.acked = false;
    clearTimeout(session.retransmit);
    session.retransmit = undefined;
    // Over UDP the 2xx is resent until the ACK comes (RFC 3261 §13.3.1.4).
    if (remote.transport === 'udp') {
      let interval = T1;
      let spent = 0;
      const again = () => {
        if (session.acked || session.ended || spent >= 64 * T1) return;
        remote.send(data);
        spent += interval;
        interval = Math.min(2 * interval, T2);
        session.retransmit = setTimeout(again, interval).unref();
      };
      session.retransmit = setTimeout(again, interval).unref();
    }
  }

  /** Ends a session: BYE to the SRC when the recorder decided, the file finished, call.ended with it. */
  private end(session: RecordingSession, reason: string, sendBye: boolean): void {
    if (session.ended) return;
    session.ended = true;
    this.sessions.delete(session.sipCallId);
    session.closeAll();
    if (sendBye && session.remote.isOpen()) this.sendBye(session);
    const at = this.clock.now();
    const ending = session.recorder
      .finish()
      .then(
        () => {
          if (session.agent) {
            this.emitFor(session, 'call.ended', at, session.agent, reason, {
              path: session.recorder.file.path,
              contentType: 'audio/wav',
            });
          } else {
            this.problem(
              `SIPREC session ${session.sipCallId} ended (${reason}); recording without agent: ${session.recorder.file.path}`,
            );
          }
        },
        (error: Error) => {
          this.problem(`recording of ${session.callId} could not be finished: ${error.message}`);
          if (session.agent) this.emitFor(session, 'call.ended', at, session.agent, reason);
        },
      )
      .finally(() => this.endings.delete(ending));
    this.endings.add(ending);
  }

  private sendBye(session: RecordingSession): void {
    const { remote } = session;
    session.outCseq++;
    remote.send(
      serialize(
        byeRequest({
          via: `SIP/2.0/${remote.transport.toUpperCase()} ${hostPort(this.mediaAddress(remote), remote.localPort)}`,
          target: session.remoteTarget,
          from: session.localTo,
          to: session.remoteFrom,
          callId: session.sipCallId,
          cseq: session.outCseq,
          reason: 'SIP;cause=408;text="RTP timeout"',
        }),
      ),
    );
  }

  private emit(session: RecordingSession, type: CallEvent['type'], at: Date): void {
    if (session.agent) this.emitFor(session, type, at, session.agent);
  }

  private emitFor(
    session: RecordingSession,
    type: CallEvent['type'],
    at: Date,
    agent: NonNullable<RecordingSession['agent']>,
    reason?: string,
    audio?: { path: string; contentType: string },
  ): void {
    const event = callEventFor(session, type, at, agent, reason, audio);
    const parsed = CallEventSchema.safeParse(event);
    if (parsed.success) this.out.event(parsed.data);
    else this.problem(`SIPREC session ${session.sipCallId}: event not valid: ${parsed.error.message}`);
  }
}

const safeName = (callId: string): string => callId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
