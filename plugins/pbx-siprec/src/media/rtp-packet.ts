export interface RtpPacket {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payloadStart: number;
  payloadEnd: number;
}

/** Reads an RTP header (RFC 3550 §5.1): CSRCs, header extension and padding skipped. Undefined when not RTP. */
export function parseRtp(data: Buffer): RtpPacket | undefined {
  if (data.length < 12) return undefined;
  const b0 = data[0] as number;
  const b1 = data[1] as number;
  if (b0 >> 6 !== 2) return undefined;
  let start = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (data.length < start + 4) return undefined;
    start += 4 + data.readUInt16BE(start + 2) * 4;
  }
  let end = data.length;
  if (b0 & 0x20) end -= data[data.length - 1] as number;
  if (end < start) return undefined;
  return {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequence: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
    ssrc: data.readUInt32BE(8),
    payloadStart: start,
    payloadEnd: end,
  };
}
