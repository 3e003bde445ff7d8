/** The parts of an Asterisk channel name: `PJSIP/1001-0000002a` → technology `PJSIP`, peer `1001`. */
export interface ChannelName {
  technology: string;
  peer: string;
}

/**
 * Splits a channel name. The peer is what sits between the technology and the last `-<hex sequence>`;
 * Local channels (`Local/201@ctx-0000001;1`) keep their `exten@context` as the peer.
 */
export function parseChannelName(channel: string): ChannelName | undefined {
  const slash = channel.indexOf('/');
  if (slash <= 0) return undefined;
  const technology = channel.slice(0, slash);
  const rest = channel.slice(slash + 1).replace(/;\d+$/, '');
  const match = /^(.*)-[0-9a-fA-F]+$/.exec(rest);
  const peer = match?.[1] ?? rest;
  if (!peer) return undefined;
  return { technology, peer };
}
