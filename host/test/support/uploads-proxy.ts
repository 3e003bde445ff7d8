import net from 'node:net';

export interface CountingProxy {
  port: number;
  /** Request bytes forwarded client → host so far (headers and bodies). */
  bytesUp(): number;
  /** Points the proxy at another host port (a restarted host); open connections are cut. */
  retarget(port: number): void;
  /** Flips one byte of the request stream at this absolute position, once (corruption in transit). */
  corruptAt(position: number): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the host's web port that counts what the client sends, and can corrupt it. */
export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let target = targetPort;
  let up = 0;
  let corruptPosition = -1;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (corruptPosition >= up && corruptPosition < up + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[corruptPosition - up]! ^= 0xff;
        corruptPosition = -1;
      }
      up += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytesUp: () => up,
    retarget(port) {
      target = port;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    corruptAt(position) {
      corruptPosition = up + position;
    },
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
