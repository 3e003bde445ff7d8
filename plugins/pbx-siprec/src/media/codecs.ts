/** The encodings the recorder decodes, by their SDP name (upper case, as `parseSdp` keeps them). */
export type RecordedCodec = 'PCMU' | 'PCMA' | 'OPUS';

export const RECORDED_CODECS: ReadonlySet<string> = new Set<RecordedCodec>(['PCMU', 'PCMA', 'OPUS']);

/** `a=rtpmap` encoding/clock[/channels] of the answer; Opus always names 48 kHz and two channels (RFC 7587). */
export function rtpmapOf(codec: RecordedCodec): string {
  return codec === 'OPUS' ? 'opus/48000/2' : `${codec}/8000`;
}

/** RTP clock ticks per 8 kHz recorder frame. */
export function ticksPerFrame(codec: RecordedCodec): number {
  return codec === 'OPUS' ? 6 : 1;
}
