import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareTicketFiles, PHOTO_MAX_EDGE, THUMB_MAX_EDGE } from '../../src/features/tickets/photos.ts';
import type { Upload } from '../../src/http/upload.ts';
import { localFileStorage, type FileStorage } from '../../src/storage/files.ts';

/**
 * Phone photos on a Vorgang (src/features/tickets/photos.ts): upright, scaled down, without
 * location or camera data; broken images refused with nothing left behind.
 */

let dir: string;
let storage: FileStorage;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ticket-photos-'));
  storage = localFileStorage(dir);
  await mkdir(storage.tempDir, { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A camera-like JPEG: landscape pixels with EXIF orientation 6 (shown portrait), camera make and a GPS position. */
function phoneJpeg(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .jpeg({ quality: 95 })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Phone 15' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 8/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '11/1 34/1 0/1' },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

const GPS_IFD_POINTER = [Buffer.from([0x88, 0x25]), Buffer.from([0x25, 0x88])];
const hasGps = (exif: Buffer | undefined) => !!exif && GPS_IFD_POINTER.some((tag) => exif.includes(tag));

let counter = 0;
async function upload(bytes: Buffer, ext: string, mimeType: string): Promise<Upload> {
  const tempPath = path.join(storage.tempDir, `upload-${++counter}`);
  await writeFile(tempPath, bytes);
  return { tempPath, originalName: `foto.${ext}`, fileName: `foto.${ext}`, size: bytes.length, ext, mimeType };
}

describe('prepareTicketFiles', () => {
  it('turns a phone photo upright, scales it to 2048 px and drops its EXIF with the GPS position', async () => {
    const input = await phoneJpeg(4000, 3000);
    const meta = await sharp(input).metadata();
    expect(meta.orientation).toBe(6);
    expect(hasGps(meta.exif)).toBe(true);

    const { files, error } = await prepareTicketFiles(storage, [await upload(input, 'jpg', 'image/jpeg')]);
    expect(error).toBeUndefined();
    const [photo] = files;
    const stored = await sharp(photo.tempPath).metadata();
    expect(stored.format).toBe('jpeg');
    expect(stored.exif).toBeUndefined();
    expect(stored.orientation).toBeUndefined();
    // 4000×3000 turned by 90° is 3000×4000, scaled to fit 2048.
    expect([stored.width, stored.height]).toEqual([1536, PHOTO_MAX_EDGE]);
    expect([photo.width, photo.height]).toEqual([1536, 2048]);
    expect(photo.size).toBe((await stat(photo.tempPath)).size);
    const thumb = await sharp(photo.thumbPath!).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBe(THUMB_MAX_EDGE);
    expect(thumb.exif).toBeUndefined();
  });

  it('keeps small photos at their size and PNG screenshots as PNG', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 4, background: '#3a6' } })
      .png()
      .toBuffer();
    const { files } = await prepareTicketFiles(storage, [await upload(png, 'png', 'image/png')]);
    const stored = await sharp(files[0].tempPath).metadata();
    expect([stored.format, stored.width, stored.height]).toEqual(['png', 400, 300]);
  });

  it('passes a PDF through unchanged, without a thumbnail', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
    const pdfUpload = await upload(pdf, 'pdf', 'application/pdf');
    const { files } = await prepareTicketFiles(storage, [pdfUpload]);
    expect(files[0]).toMatchObject({ tempPath: pdfUpload.tempPath, thumbPath: null, width: null, height: null });
  });

  it('refuses a broken image and leaves no temp file behind, also of the good ones before it', async () => {
    await rm(storage.tempDir, { recursive: true, force: true });
    await mkdir(storage.tempDir, { recursive: true });
    const good = await upload(await phoneJpeg(800, 600), 'jpg', 'image/jpeg');
    const jpegHeaderOnly = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 0x11)]);
    const broken = await upload(jpegHeaderOnly, 'jpg', 'image/jpeg');
    const { files, error } = await prepareTicketFiles(storage, [good, broken]);
    expect(error).toBe('tickets:errors.photoUnreadable');
    expect(files).toEqual([]);
    expect(await readdir(storage.tempDir)).toEqual([]);
  });
});
