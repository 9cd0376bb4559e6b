// tests/interop/s3/s3rver_launch.mjs - start the s3rver peer (an independent
// S3 implementation) on a free loopback port for the S3 backend tests.
//   node s3rver_launch.mjs [--watch-stdin] <data-dir> <bucket>...
// Prints "port=<n>" on stdout once listening; stops on SIGTERM/SIGINT, and
// with --watch-stdin also when stdin closes (a test that holds the write end
// of a pipe never leaves the server running, even when it crashes).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../peers/package.json'));
const S3rver = require('s3rver');
import crypto from 'node:crypto';

// s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node >= 17
// (OpenSSL 3) only offers with --openssl-legacy-provider; without it every
// truncated listing fails with HTTP 500.
try {
  crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
} catch (e) {
  console.error('s3rver_launch: run node with --openssl-legacy-provider (DES for s3rver)');
  process.exit(3);
}

const args = process.argv.slice(2);
const watchStdin = args[0] === '--watch-stdin';
if (watchStdin) args.shift();
const [dir, ...buckets] = args;
if (!dir) {
  console.error('usage: s3rver_launch.mjs <data-dir> <bucket>...');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: dir,
  silent: true,
  vhostBuckets: false,
  configureBuckets: buckets.map((name) => ({ name })),
});
const addr = await server.run();
process.stdout.write(`port=${addr.port}\n`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (watchStdin) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
