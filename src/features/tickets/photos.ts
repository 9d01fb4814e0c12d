import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { FieldErrors } from '../../http/forms.ts';
import { discard, type Upload } from '../../http/upload.ts';
import type { FileStorage } from '../../storage/files.ts';

/** Longest edge of a stored photo: sharp on any phone or monitor, a fraction of a camera's bytes. */
export const PHOTO_MAX_EDGE = 2048;
/** Longest edge of the small copy shown in timelines (two columns on a 360 px phone at 2x). */
export const THUMB_MAX_EDGE = 480;
/** Larger images are refused instead of decoded (a "pixel bomb" would take the server's memory). */
const MAX_INPUT_PIXELS = 100_000_000;

/** An accepted ticket file, ready for the store: the photo re-encoded, with its thumbnail. */
export type PreparedFile = Upload & { thumbPath: string | null; width: number | null; height: number | null };

/**
 * Makes phone photos fit to keep and safe to show: turned upright by their EXIF orientation,
 * scaled down to PHOTO_MAX_EDGE, re-encoded in their own format without any metadata
 * (sharp drops EXIF, GPS position and camera data unless asked to keep them), plus a
 * thumbnail. PDFs pass unchanged. The original temp files are deleted; on failure all of
 * them are, and the i18n key of the problem is returned.
 */
export async function prepareTicketFiles(storage: FileStorage, uploads: Upload[]): Promise<{ files: PreparedFile[]; error?: string }> {
  const files: PreparedFile[] = [];
  try {
    for (const upload of uploads)
      files.push(upload.mimeType.startsWith('image/') ? await preparePhoto(storage, upload) : { ...upload, thumbPath: null, width: null, height: null });
    return { files };
  } catch {
    await discard([...uploads.map((u) => u.tempPath), ...files.flatMap((f) => [f.tempPath, f.thumbPath ?? ''])].filter(Boolean));
    return { files: [], error: 'tickets:errors.photoUnreadable' };
  }
}

const tempName = (storage: FileStorage) => path.join(storage.tempDir, randomBytes(16).toString('hex'));

async function preparePhoto(storage: FileStorage, upload: Upload): Promise<PreparedFile> {
  const source = () => sharp(upload.tempPath, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
  const encode = (image: Sharp) =>
    upload.ext === 'png'
      ? image.png({ compressionLevel: 9 })
      : upload.ext === 'webp'
        ? image.webp({ quality: 80 })
        : image.jpeg({ quality: 82, mozjpeg: true });

  const photoPath = tempName(storage);
  const info = await encode(source().resize({ width: PHOTO_MAX_EDGE, height: PHOTO_MAX_EDGE, fit: 'inside', withoutEnlargement: true })).toFile(photoPath);
  const thumbPath = tempName(storage);
  try {
    await encode(sharp(photoPath).resize({ width: THUMB_MAX_EDGE, height: THUMB_MAX_EDGE, fit: 'inside', withoutEnlargement: true })).toFile(thumbPath);
  } catch (error) {
    await discard([photoPath, thumbPath]);
    throw error;
  }
  await discard([upload.tempPath]);
  return { ...upload, tempPath: photoPath, size: (await stat(photoPath)).size, thumbPath, width: info.width, height: info.height };
}

/**
 * The files of a Vorgang form (report or comment), ready to store once the rest of the form
 * is valid. When the form has problems already, or a file was refused (`received.error`) or
 * cannot be read, every temp file is discarded and the problem is added at `field`: the
 * resident or staff member chooses the files again with the form shown back.
 */
export async function ticketFilesOrDiscard(
  storage: FileStorage,
  received: { files: Upload[]; error?: string },
  errors: FieldErrors,
  field: string,
): Promise<PreparedFile[]> {
  if (received.error) errors[field] = received.error;
  if (Object.keys(errors).length > 0) {
    await discard(received.files.map((upload) => upload.tempPath));
    return [];
  }
  const prepared = await prepareTicketFiles(storage, received.files);
  if (prepared.error) errors[field] = prepared.error;
  return prepared.files;
}
