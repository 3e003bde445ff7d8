import fs from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const pluginsDir = fileURLToPath(new URL('../../../plugins/', import.meta.url));

/** A transcript from a PBX plugin's tests, split before the first line that starts with `splitAt`. */
export async function transcriptParts(file: string, splitAt: string): Promise<[string, string]> {
  const text = await fs.readFile(`${pluginsDir}${file}`, 'utf8');
  const at = text.indexOf(`\n${splitAt}`);
  if (at < 0) throw new Error(`${file} has no line starting with ${splitAt}`);
  return [text.slice(0, at + 1), text.slice(at + 1)];
}

export interface PbxServer {
  port: number;
  /** Resolves once a client logged in and subscribed. */
  loggedIn: Promise<void>;
  send(traffic: string): Promise<void>;
  close(): Promise<void>;
}

function serve(onConnect: (socket: net.Socket, ready: () => void) => void): Promise<PbxServer> {
  const sockets = new Set<net.Socket>();
  let current: net.Socket | undefined;
  let ready: () => void = () => undefined;
  const loggedIn = new Promise<void>((resolve) => (ready = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    onConnect(socket, () => {
      current = socket;
      ready();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        loggedIn,
        send: (traffic) =>
          new Promise<void>((done, fail) => {
            if (!current) return fail(new Error('no PBX client logged in'));
            current.write(traffic, () => done());
          }),
        close: async () => {
          for (const socket of sockets) socket.destroy();
          await new Promise<void>((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

/** Plays Asterisk's Manager Interface: banner, Login (any user with `secret`), Ping; then the test's traffic. */
export function startAmiServer(secret: string): Promise<PbxServer> {
  return serve((socket, ready) => {
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk.replaceAll('\r\n', '\n');
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const headers = new Map(
          buffer
            .slice(0, end)
            .split('\n')
            .map((line) => [line.split(':')[0]!.toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
        );
        buffer = buffer.slice(end + 2);
        const id = headers.get('actionid') ?? '';
        const action = headers.get('action')?.toLowerCase();
        if (action === 'login' && headers.get('secret') === secret) {
          socket.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
          ready();
        } else if (action === 'login') {
          socket.write(`Response: Error\r\nActionID: ${id}\r\nMessage: Authentication failed\r\n\r\n`);
        } else if (action === 'ping') {
          socket.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\n\r\n`);
        } else {
          socket.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Accepted\r\n\r\n`);
        }
      }
    });
    socket.write('Asterisk Call Manager/5.0.1\r\n');
  });
}

/** Plays FreeSWITCH's event socket (inbound mode): auth, `event plain ...`, `api` keep-alives. */
export function startEslServer(password: string): Promise<PbxServer> {
  return serve((socket, ready) => {
    const reply = (text: string) => socket.write(`Content-Type: command/reply\nReply-Text: ${text}\n\n`);
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const command = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 2);
        if (command.startsWith('auth '))
          reply(command === `auth ${password}` ? '+OK accepted' : '-ERR invalid');
        else if (command.startsWith('event ')) {
          reply(`+OK event listener enabled ${command.split(' ')[1]}`);
          ready();
        } else if (command.startsWith('api ')) {
          const body = 'FreeSWITCH Version 1.10.12-release\n';
          socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
        } else reply('-ERR command not found');
      }
    });
    socket.write('Content-Type: auth/request\n\n');
  });
}

/** Frames an event dump (plain bodies separated by blank lines) as FreeSWITCH sends it to a `plain` subscriber. */
export function eslPlainFrames(dump: string): string {
  return dump
    .split(/\n\n+/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const body = `${block}\n\n`;
      return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
    })
    .join('');
}
