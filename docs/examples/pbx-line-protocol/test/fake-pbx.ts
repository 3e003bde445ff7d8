import type { CallEventPeer } from '@deskrec/core/testing';
import { startTcpTestPeer, type TcpPeerConnection } from '@deskrec/core/testing';

/** A real TCP server in the test (core's TCP test peer), playing a phone system that prints one line per call event. */
export interface FakePbx extends CallEventPeer<string> {
  readonly port: number;
}

export async function startFakePbx(): Promise<FakePbx> {
  // The protocol has no login: a session starts as soon as the source connects.
  const peer = await startTcpTestPeer({ delimiter: '\n' });
  let current: TcpPeerConnection | undefined;
  return {
    port: peer.port,
    async nextSession() {
      current = await peer.nextConnection(60_000);
    },
    async send(traffic) {
      if (!current || current.closed) throw new Error('no connected source to send to');
      await current.send(traffic);
    },
    async drop() {
      await current?.drop();
      current = undefined;
    },
    close: () => peer.close(),
  };
}
