// A real S3-compatible server (s3rver) in its own process, so that the tests measure only the
// app's memory and can stop the server at once, open connections included.
// Usage: node test/support/s3rver-main.ts <directory> <bucket>; prints the port, stops on SIGTERM.
// @ts-expect-error -- s3rver ships no declaration file
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = (await server.run()) as { port: number };
process.stdout.write(`${port}\n`);
process.on('SIGTERM', () => process.exit(0));
