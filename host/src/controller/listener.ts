import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { ListenerKind } from './agent-connection.js';
import type { ConnectionLimits, LimitRefusal } from './connection-limits.js';
import type { TlsMaterial } from './tls-material.js';

export type UpgradeHandler = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** One listening port (plain or TLS) that hands WebSocket upgrades to the controller. */
export class Listener {
  /** Every accepted socket, so stop() can cut those that never upgraded or never finished TLS. */
  private readonly sockets = new Set<Duplex>();
  private readonly server: http.Server | https.Server;

  constructor(
    readonly kind: ListenerKind,
    tls: TlsMaterial | undefined,
    handshakeTimeoutMs: number,
    onUpgrade: UpgradeHandler,
    onTlsError: (error: Error, remoteAddress: string | undefined) => void,
    limits: ConnectionLimits,
    onRefused: (refusal: LimitRefusal, remoteAddress: string | undefined) => void,
  ) {
    this.server = tls
      ? https.createServer({
          key: tls.key,
          cert: tls.cert,
          minVersion: 'TLSv1.2',
          handshakeTimeout: handshakeTimeoutMs,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        })
      : http.createServer();
    this.server.headersTimeout = handshakeTimeoutMs;
    this.server.requestTimeout = handshakeTimeoutMs;
    this.server.on('connection', (socket: Duplex & { remoteAddress?: string }) => {
      const refusal = limits.admit(socket, socket.remoteAddress);
      if (refusal) {
        onRefused(refusal, socket.remoteAddress);
        // A plain client can read why; a TLS client has not shaken hands, so it only sees the cut.
        if (tls) socket.destroy();
        else {
          socket.end(
            `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ndeskrec controller: connection refused: ${refusal.message}\n`,
            () => socket.destroy(),
          );
        }
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('request', (_request, response: http.ServerResponse) => {
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' });
      response.end('deskrec controller: connect with a WebSocket\n');
    });
    this.server.on('upgrade', onUpgrade);
    this.server.on('tlsClientError', (error: Error, socket: { remoteAddress?: string }) =>
      onTlsError(error, socket.remoteAddress),
    );
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException) => {
        const what = this.kind === 'tls' ? 'controller TLS port' : 'controller TCP port';
        reject(new Error(`cannot listen on ${what} ${host}:${port}: ${error.code ?? error.message}`));
      };
      this.server.once('error', fail);
      this.server.listen(port, host, () => {
        this.server.off('error', fail);
        resolve();
      });
    });
  }

  address(): { address: string; port: number } | null {
    const address = this.server.address();
    return address && typeof address === 'object' ? { address: address.address, port: address.port } : null;
  }

  /** Stops accepting and cuts every socket still open; resolves once the server is closed. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
