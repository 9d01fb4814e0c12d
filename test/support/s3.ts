import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
// s3rver ships no types; the little the tests use is typed below.
// @ts-expect-error -- no declaration file
import S3rverModule from 's3rver';
import { loadConfig, type S3Config } from '../../src/config.ts';
import { s3Client } from '../../src/storage/s3.ts';

type S3rverServer = { run(): Promise<{ address: string; port: number }>; close(): Promise<void> };
const S3rver = S3rverModule as new (options: Record<string, unknown>) => S3rverServer;

export const TEST_BUCKET = 'hausportal-test';

/**
 * A real S3-compatible server (s3rver: the S3 REST API over a local directory) on a free
 * loopback port, with one bucket. `env` is what the app needs to use it (STORAGE_URL and the
 * AWS_* variables, as an operator would set them); s3rver takes any credentials and does
 * not speak the SDK's newer CRC checksums, hence WHEN_REQUIRED.
 */
export async function startS3Server(prefix = 'dateien') {
  const directory = await mkdtemp(path.join(tmpdir(), 'hausportal-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: TEST_BUCKET }] });
  const { port } = await server.run();
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
  return {
    env,
    s3,
    /** Every object key in the bucket (to prove what was stored and that nothing was left behind). */
    async keys(): Promise<string[]> {
      const list = await client.send(new ListObjectsV2Command({ Bucket: TEST_BUCKET }));
      return (list.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export type TestS3Server = Awaited<ReturnType<typeof startS3Server>>;
