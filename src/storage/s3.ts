import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config.ts';
import { checkedStorageKey, newStorageKey, StoredFileMissingError, type FileStorage } from './files.ts';

/** One client per configuration (its connection pool is shared by the app, the API and the jobs). */
export function s3Client(s3: S3Config): S3Client {
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: s3.credentials,
    requestChecksumCalculation: s3.requestChecksumCalculation,
    responseChecksumValidation: s3.responseChecksumValidation,
  });
}

/**
 * Uploaded files in an S3-compatible bucket, under `<prefix>/<2 hex>/<40 hex>`. Uploads still
 * arrive in the local temp directory (multer, type detection and sharp need a file); `put`
 * then streams that file to the bucket in one PUT of known length: never held in memory,
 * and atomic, so a failed or cut-off upload leaves no object and no orphaned multipart
 * parts behind (our files are at most 50 MB, far below a single PUT's 5 GB). Reads stream
 * the object's body as it arrives.
 */
export function s3FileStorage(s3: S3Config, tempDir: string, client: S3Client = s3Client(s3)): FileStorage {
  const Bucket = s3.bucket;
  const objectKey = (key: string) => (s3.prefix ? `${s3.prefix}/${checkedStorageKey(key)}` : checkedStorageKey(key));
  return {
    tempDir,
    async put(tempPath) {
      const key = newStorageKey();
      const { size } = await stat(tempPath);
      await client.send(
        new PutObjectCommand({ Bucket, Key: objectKey(key), Body: createReadStream(tempPath), ContentLength: size, ContentType: 'application/octet-stream' }),
      );
      await rm(tempPath, { force: true });
      return key;
    },
    open: (key) => {
      const Key = objectKey(key);
      return lazyStream(async (abortSignal) => {
        const object = await client.send(new GetObjectCommand({ Bucket, Key }), { abortSignal });
        return object.Body as Readable;
      });
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
        return head.ContentLength ?? 0;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) throw new StoredFileMissingError(`no stored file ${key}`);
        throw error;
      }
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },
  };
}

/**
 * A Readable that asks for the object only when first read (the seam's `open` is
 * synchronous) and then passes its body on with back-pressure. Destroying it (a client that
 * went away) aborts the request and closes the connection.
 */
function lazyStream(load: (signal: AbortSignal) => Promise<Readable>): Readable {
  const abort = new AbortController();
  let body: Readable | undefined;
  let started = false;
  const stream: Readable = new Readable({
    read() {
      if (body) {
        body.resume();
        return;
      }
      if (started) return;
      started = true;
      load(abort.signal).then(
        (loaded) => {
          body = loaded;
          loaded.on('data', (chunk: Buffer) => {
            if (!stream.push(chunk)) loaded.pause();
          });
          loaded.once('end', () => stream.push(null));
          loaded.once('error', (error) => stream.destroy(error));
        },
        (error: Error) => stream.destroy(error),
      );
    },
    destroy(error, done) {
      abort.abort();
      body?.destroy();
      done(error);
    },
  });
  return stream;
}
