import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { SipParseError } from './message.js';
import { TcpFramer } from './tcp-framer.js';

export type TransportName = 'udp' | 'tcp' | 'tls';

/** Where a message came from, and how to answer on the same path (RFC 3261 §18.2.2). */
export interface Remote {
  transport: TransportName;
  address: string;
  port: number;
  /** The local address the message arrived on (what TCP knows; the bound address for UDP). */
  localAddress: string;
  localPort: number;
  /** False once a stream connection closed; a datagram remote is always open. */
  isOpen(): boolean;
  send(data: Buffer): void;
}

export interface TransportHandler {
  message(data: Buffer, remote: Remote): void;
  /** A stream whose framing broke; the connection is closed after the handler answered. */
  framingError(error: SipParseError, head: Buffer | undefined, remote: Remote): void;
}

export interface TransportOptions {
  host: string;
  port: number;
  udp: boolean;
  tcp: boolean;
  tls?: { port: number; certFile: string; keyFile: string } | undefined;
  maxMessageBytes: number;
}

export interface BoundPorts {
  udp?: number;
  tcp?: number;
  tls?: number;
}

/** The SIP listeners: one UDP socket, one TCP server and optionally one TLS server. */
export class SipTransport {
  private udp: dgram.Socket | undefined;
  private servers: net.Server[] = [];
  private readonly connections = new Set<net.Socket>();
  readonly ports: BoundPorts = {};

  constructor(
    private readonly options: TransportOptions,
    private readonly handler: TransportHandler,
  ) {}

  async start(): Promise<void> {
    const { host } = this.options;
    // UDP and TCP share one port number; with port 0 the TCP server picks it and UDP follows (retrying if taken).
    for (let attempt = 0; ; attempt++) {
      try {
        let port = this.options.port;
        if (this.options.tcp) {
          const server = net.createServer((socket) => this.accept(socket, 'tcp'));
          port = await listen(server, host, port);
          this.servers.push(server);
          this.ports.tcp = port;
        }
        if (this.options.udp) {
          const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
          socket.on('message', (data, rinfo) => this.datagram(socket, data, rinfo));
          socket.on('error', () => undefined);
          this.ports.udp = await bindUdp(socket, host, port);
          this.udp = socket;
        }
        break;
      } catch (error) {
        await this.stop();
        if (this.options.port !== 0 || attempt >= 10) throw error;
      }
    }
    if (this.options.tls) {
      const [cert, key] = await Promise.all([
        fs.readFile(this.options.tls.certFile),
        fs.readFile(this.options.tls.keyFile),
      ]);
      const server = tls.createServer({ cert, key }, (socket) => this.accept(socket, 'tls'));
      this.ports.tls = await listen(server, host, this.options.tls.port);
      this.servers.push(server);
    }
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = undefined;
    const servers = this.servers;
    this.servers = [];
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      ...servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
    delete this.ports.udp;
    delete this.ports.tcp;
    delete this.ports.tls;
  }

  private datagram(socket: dgram.Socket, data: Buffer, rinfo: dgram.RemoteInfo): void {
    const local = socket.address();
    const remote: Remote = {
      transport: 'udp',
      address: rinfo.address,
      port: rinfo.port,
      localAddress: local.address,
      localPort: local.port,
      isOpen: () => this.udp === socket,
      send: (out) => {
        if (this.udp === socket) socket.send(out, rinfo.port, rinfo.address);
      },
    };
    this.handler.message(data, remote);
  }

  private accept(socket: net.Socket, transport: 'tcp' | 'tls'): void {
    this.connections.add(socket);
    socket.setNoDelay(true);
    const framer = new TcpFramer(this.options.maxMessageBytes);
    const remote: Remote = {
      transport,
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? this.options.host,
      localPort: socket.localPort ?? 0,
      isOpen: () => !socket.destroyed && socket.writable,
      send: (out) => {
        if (!socket.destroyed && socket.writable) socket.write(out);
      },
    };
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        if (frame.kind === 'ping') remote.send(Buffer.from('\r\n'));
        else if (frame.kind === 'message') this.handler.message(frame.data, remote);
        else {
          this.handler.framingError(frame.error, frame.head, remote);
          socket.end();
          return;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.connections.delete(socket));
  }
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      // After listening, an error (e.g. EMFILE on accept) is the connection's problem, not the recorder's end.
      server.on('error', () => undefined);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', fail);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', fail);
      resolve(socket.address().port);
    });
  });
}
