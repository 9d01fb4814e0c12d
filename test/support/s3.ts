import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig, type S3Config } from '../../src/config.ts';
import { s3Client } from '../../src/storage/s3.ts';

export const TEST_BUCKET = 'hausportal-test';

/**
 * A real S3-compatible server (s3rver: the S3 REST API over a local directory) on a free
 * loopback port, with one bucket, in a child process (test/support/s3rver-main.ts). `env`
 * is what the app needs to use it (STORAGE_URL and the AWS_* variables, as an operator would
 * set them); s3rver takes any credentials and does not speak the SDK's newer CRC checksums,
 * hence WHEN_REQUIRED.
 */
export async function startS3Server(prefix = 'dateien') {
  const directory = await mkdtemp(path.join(tmpdir(), 'hausportal-s3rver-'));
  const server = spawn(process.execPath, [path.join(import.meta.dirname, 's3rver-main.ts'), directory, TEST_BUCKET], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([once(createInterface({ input: server.stdout }), 'line'), once(server, 'exit')])) as [string];
  const port = Number(line);
  if (!port) throw new Error('s3rver did not start');
  const env = {
    STORAGE_URL: `s3://${TEST_BUCKET}/${prefix}`,
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const s3 = loadConfig(env).s3 as S3Config;
  const client = s3Client(s3);
  let closed = false;
  return {
    env,
    s3,
    /** Every object key in the bucket (to prove what was stored and that nothing was left behind). */
    async keys(): Promise<string[]> {
      const list = await client.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET }));
      return (list.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    /** Stops the server (twice is fine: a test may stop it to see the app without its storage). */
    async close() {
      if (closed) return;
      closed = true;
      client.destroy();
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export type TestS3Server = Awaited<ReturnType<typeof startS3Server>>;
