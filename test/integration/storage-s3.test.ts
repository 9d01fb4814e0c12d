import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, DocumentType } from '../../src/entities/index.ts';
import { newTempPath, putStream, StoredFileMissingError, storeThenWrite, type FileStorage } from '../../src/storage/files.ts';
import { s3Client, s3FileStorage } from '../../src/storage/s3.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { filesUnder } from '../support/files.ts';
import { compressiblePdf, rawGet } from '../support/raw.ts';
import { startS3Server, TEST_BUCKET, type TestS3Server } from '../support/s3.ts';

const all = { filters: { tenant: false } } as const;
const MB = 1024 * 1024;

let s3: TestS3Server;
let tempRoot: string;
let storage: FileStorage;

beforeAll(async () => {
  s3 = await startS3Server();
  tempRoot = await mkdtemp(path.join(tmpdir(), 'hausportal-s3-temp-'));
  storage = s3FileStorage(s3.s3, tempRoot);
});
afterAll(async () => {
  await s3?.close();
  await rm(tempRoot, { recursive: true, force: true });
});

async function tempFile(bytes: Buffer): Promise<string> {
  const tempPath = await newTempPath(storage);
  await writeFile(tempPath, bytes);
  return tempPath;
}

/** The garbage collector, which vitest's workers do not expose by flag. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the S3 file storage', () => {
  it('stores a temp file under the prefix, reads it back, tells its size and deletes it', async () => {
    const bytes = randomBytes(300_000);
    const tempPath = await tempFile(bytes);
    const key = await storage.put(tempPath);
    expect(key).toMatch(/^[a-f0-9]{2}\/[a-f0-9]{40}$/);
    expect(await s3.keys()).toEqual([`dateien/${key}`]);
    // The temp file is gone, as after the local store's rename.
    expect(await filesUnder(tempRoot)).toEqual([]);

    expect(await storage.size(key)).toBe(bytes.length);
    expect((await readAll(storage.open(key))).equals(bytes)).toBe(true);

    await storage.remove(key);
    expect(await s3.keys()).toEqual([]);
    await expect(storage.size(key)).rejects.toThrow(StoredFileMissingError);
    await expect(readAll(storage.open(key))).rejects.toThrow();
    // Removing twice is no error (clean-up paths may run after a partial failure).
    await storage.remove(key);
  });

  it('refuses keys it did not make, before asking the server', async () => {
    expect(() => storage.open('../../etc/passwd')).toThrow(/invalid storage key/);
    await expect(storage.size('ab/../../x')).rejects.toThrow(/invalid storage key/);
  });

  it('leaves nothing behind when the stream being stored errors midway', async () => {
    async function* breaksOff() {
      yield randomBytes(2 * MB);
      yield randomBytes(2 * MB);
      throw new Error('connection reset by the sender');
    }
    await expect(putStream(storage, Readable.from(breaksOff()))).rejects.toThrow('connection reset by the sender');
    expect(await s3.keys()).toEqual([]);
    expect(await filesUnder(tempRoot)).toEqual([]);

    // The same stream, whole, is stored.
    const whole = randomBytes(3 * MB);
    const key = await putStream(storage, Readable.from([whole.subarray(0, MB), whole.subarray(MB)]));
    expect((await readAll(storage.open(key))).equals(whole)).toBe(true);
    await storage.remove(key);
  });

  it('leaves nothing behind when the upload itself fails, or the database write after it', async () => {
    const gone = path.join(tempRoot, 'tmp-does-not-exist');
    await expect(storage.put(gone)).rejects.toThrow();
    expect(await s3.keys()).toEqual([]);

    const tempPaths = [await tempFile(randomBytes(10_000)), await tempFile(randomBytes(20_000))];
    await expect(
      storeThenWrite(storage, tempPaths, async (keys) => {
        expect(keys).toHaveLength(2);
        expect(await s3.keys()).toHaveLength(2);
        throw new Error('the transaction failed');
      }),
    ).rejects.toThrow('the transaction failed');
    expect(await s3.keys()).toEqual([]);
    expect(await filesUnder(tempRoot)).toEqual([]);
  });

  it('streams a 50 MB file both ways without holding it in memory', async () => {
    // Written in 1 MB pieces, so the test does not hold it either.
    const tempPath = await newTempPath(storage);
    const written = createHash('sha256');
    async function* pieces() {
      for (let i = 0; i < 50; i++) {
        const piece = randomBytes(MB);
        written.update(piece);
        yield piece;
      }
    }
    await pipeline(Readable.from(pieces()), createWriteStream(tempPath));

    // What is still reachable (after a collection) while the file moves: sampled on a timer
    // during the upload and after every 5 MB read during the download, so that a fast machine
    // (the whole round trip can take less than a timer's period) still measures.
    const gc = collector();
    gc();
    const before = process.memoryUsage();
    let peak = 0;
    let samples = 0;
    const measure = () => {
      samples++;
      gc();
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers - before.arrayBuffers + now.heapUsed - before.heapUsed);
    };
    const sample = setInterval(measure, 100);
    try {
      const key = await storage.put(tempPath);
      expect(await storage.size(key)).toBe(50 * MB);
      const read = createHash('sha256');
      let sinceMeasured = 0;
      for await (const chunk of storage.open(key)) {
        read.update(chunk as Buffer);
        sinceMeasured += (chunk as Buffer).length;
        if (sinceMeasured >= 5 * MB) {
          measure();
          sinceMeasured = 0;
        }
      }
      expect(read.digest('hex')).toBe(written.digest('hex'));
      await storage.remove(key);
    } finally {
      clearInterval(sample);
    }
    // Only this process is measured (the S3 server runs in its own): the 50 MB were never in memory at once.
    expect(samples).toBeGreaterThanOrEqual(9);
    // Measured about 12 MB (socket and stream buffers) alone, up to 32 MB while another test file
    // runs beside it (the slower side's buffers fill); held whole, the file alone would be 50.
    expect(peak).toBeLessThan(40 * MB);
  }, 180_000);
});

describe('the app with STORAGE_URL pointing to the S3 server', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: s3.env });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('stores an uploaded document in the bucket and streams its download with type, length and name', async () => {
    const manager = app.client();
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    const pdf = compressiblePdf();
    const answer = await manager.postMultipart(
      `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/dokumente`,
      { title: 'Hausordnung im Bucket', type: type.id, share: 'property' },
      [{ name: 'Hausordnung Größe.pdf', type: 'application/pdf', content: pdf }],
      'files',
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Hausordnung im Bucket' }, all);
    expect(await s3.keys()).toEqual([`dateien/${document.storageKey}`]);
    // Nothing stays on the app's disk: the upload's temp file went to the bucket.
    expect(await filesUnder(app.storageDir)).toEqual([]);

    const download = await rawGet(new URL(`/verwaltung/dokumente/${document.id}/datei`, app.baseUrl).toString(), {
      ...manager.browserHeaders(),
      'accept-encoding': 'gzip, br',
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(Number(download.headers['content-length'])).toBe(pdf.length);
    expect(download.headers['content-disposition']).toBe(`inline; filename="Hausordnung Gr__e.pdf"; filename*=UTF-8''Hausordnung%20Gr%C3%B6%C3%9Fe.pdf`);
    expect(download.headers['content-encoding']).toBeUndefined();
    expect(download.body.equals(pdf)).toBe(true);

    // Another Verwaltung's staff does not get it (scope first, storage second).
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await rawGet(new URL(`/verwaltung/dokumente/${document.id}/datei`, app.baseUrl).toString(), nord.browserHeaders())).status).toBe(404);

    // An object missing from the bucket is a 404, not a 500 or a cut-off body.
    const client = s3Client(s3.s3);
    await client.send(new DeleteObjectCommand({ Bucket: TEST_BUCKET, Key: `dateien/${document.storageKey}` }));
    client.destroy();
    const missing = await rawGet(new URL(`/verwaltung/dokumente/${document.id}/datei`, app.baseUrl).toString(), manager.browserHeaders());
    expect(missing.status).toBe(404);
  });

  it('answers an error page, not "not found", while the object storage cannot be reached (last: it stops the server)', async () => {
    const manager = app.client();
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    const answer = await manager.postMultipart(
      `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/dokumente`,
      { title: 'Vor dem Ausfall', type: type.id, share: 'property' },
      [{ name: 'ausfall.pdf', type: 'application/pdf', content: compressiblePdf() }],
      'files',
    );
    expect(answer.status, answer.$('.field-error').text()).toBe(303);
    const document = await app.em().findOneOrFail(Document, { title: 'Vor dem Ausfall' }, all);
    await s3.close();
    const down = await rawGet(new URL(`/verwaltung/dokumente/${document.id}/datei`, app.baseUrl).toString(), manager.browserHeaders());
    expect(down.status).toBe(500);
    expect(down.headers['content-type']).toContain('text/html');
  });
});
