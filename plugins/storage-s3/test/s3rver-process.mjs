// Runs s3rver in its own process, so the tests measure the plugin's memory, not the server's, and can
// kill the server like a crash. argv[2]: the folder to store buckets in. Prints {"port": N} once listening.
import S3rver from 's3rver';

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.argv[2],
  vhostBuckets: false,
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
// The parent holds our stdin open: when it ends, even by a crash, the server goes too.
process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
