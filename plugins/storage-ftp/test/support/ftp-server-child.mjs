// An ftp-srv server in its own process, so a test can kill it mid-transfer, run it as an unprivileged
// user (permissions apply), and keep its memory out of the client's measurements.
// Config comes as JSON in FTP_FIXTURE; the first stdout line is {"port": N} once it listens.
import { createRequire } from 'node:module';
import tls from 'node:tls';
import FtpSrv from 'ftp-srv';

const require = createRequire(import.meta.url);

// ftp-srv 4.6 leaves some rejections unhandled (e.g. cleaning up after a refused STOR); a server keeps running.
process.on('unhandledRejection', () => {});

const config = JSON.parse(process.env.FTP_FIXTURE ?? '{}');

// ftp-srv logs through bunyan; this logger drops everything.
const quiet = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  child() {
    return quiet;
  },
};

// ftp-srv 4.6 answers AUTH TLS with 234 and wraps the socket only a few ticks later; a client that starts
// its handshake at once (as RFC 4217 allows) then gets a plaintext "502" back in about a third of the
// connections. This replacement writes 234 and wraps the socket in the same tick, closing that gap.
const auth = require('ftp-srv/src/commands/registration/auth.js');
const originalAuth = auth.handler;
auth.handler = function handleAuth(args) {
  const wantsTls = String(args?.command?.arg ?? '').toUpperCase() === 'TLS';
  if (!wantsTls || !this.server.options.tls || this.secure) return originalAuth.call(this, args);
  this.commandSocket.write('234 Honored\r\n');
  const plain = this.commandSocket;
  const secure = new tls.TLSSocket(plain, {
    isServer: true,
    secureContext: tls.createSecureContext(this.server.options.tls),
  });
  for (const event of ['data', 'timeout', 'end', 'close', 'drain', 'error']) {
    secure.on(event, (...values) => plain.emit(event, ...values));
  }
  this.commandSocket = secure;
  this.secure = true;
  return Promise.resolve();
};

const server = new FtpSrv({
  url: `${config.implicit ? 'ftps' : 'ftp'}://127.0.0.1:${config.port ?? 0}`,
  pasv_url: '127.0.0.1',
  pasv_min: config.pasvMin,
  pasv_max: config.pasvMax,
  log: quiet,
  anonymous: false,
  greeting: 'deskrec test server',
  ...(config.tls ? { tls: config.tls } : {}),
});

server.on('login', ({ username, password }, resolve, reject) => {
  if (username === config.user && password === config.password) resolve({ root: config.root, cwd: '/' });
  else reject(new Error('Invalid username or password'));
});

await server.listen();
process.stdout.write(`${JSON.stringify({ port: server.server.address().port })}\n`);
