/**
 * The ssh2 test server in a process of its own, as a real SFTP server runs (sshd too is a separate
 * process), so that its work does not share the benchmarked client's main thread.
 * Started by throughput.ts with `fork`: argv is the served folder, user and password; it answers the
 * parent once with `{ port, fingerprint }` and stops when the parent disconnects.
 */
import { startSftpServer } from '../test/support/sftp-server.js';

const [base, username, password] = process.argv.slice(2) as [string, string, string];
const server = await startSftpServer({ base, username, password });
process.send?.({ port: server.port, fingerprint: server.fingerprint });
process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
