import { randomBytes } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import type { Em } from '../../db/orm.ts';
import type { PortalUser, StaffUser } from '../../entities/index.ts';
import { type AcceptedTypes, discard, type Upload } from '../../http/upload.ts';
import type { FileStorage } from '../../storage/files.ts';

/** Edge of the stored square profile photo: sharp at 2x on the largest place it is shown (128 px). */
export const PROFILE_PHOTO_EDGE = 256;
export const PROFILE_PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Larger images are refused instead of decoded (as for Vorgang photos, src/features/tickets/photos.ts). */
const MAX_INPUT_PIXELS = 100_000_000;

/** Profile photos: JPEG, PNG, WebP by content, at most 10 MB; HEIC gets its own message (src/http/upload.ts). */
export const PROFILE_PHOTO_UPLOADS: AcceptedTypes = {
  types: new Map([
    ['jpg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
  ]),
  wrongType: 'profile:errors.photoType',
  maxBytes: { bytes: PROFILE_PHOTO_MAX_BYTES, tooLarge: 'profile:errors.photoTooLarge' },
};

/** The photo's path segment in /portal/fotos/… and /verwaltung/fotos/…: whose photo it is. */
export const PHOTO_KINDS = { bewohner: 'portal', mitarbeiter: 'staff' } as const;

export type Login = { area: 'portal'; user: PortalUser } | { area: 'staff'; user: StaffUser };

/** Where a page finds a user's photo (under the viewer's area); `v` changes with the photo, for caches. */
export function photoUrl(base: '/portal' | '/verwaltung', owner: Login): string | null {
  if (!owner.user.photoKey) return null;
  const kind = owner.area === 'portal' ? 'bewohner' : 'mitarbeiter';
  return `${base}/fotos/${kind}/${owner.user.id}?v=${owner.user.photoKey.slice(-8)}`;
}

/**
 * Makes an upload a profile photo: turned upright by its EXIF orientation, cropped to the
 * middle square, 256 px, re-encoded as JPEG without any metadata (sharp keeps none unless
 * asked: no GPS position, no camera). Returns the new temp file's path; the upload is
 * deleted either way. Throws when the image cannot be read.
 */
export async function prepareProfilePhoto(storage: FileStorage, upload: Upload): Promise<string> {
  const out = path.join(storage.tempDir, randomBytes(16).toString('hex'));
  try {
    await sharp(upload.tempPath, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ width: PROFILE_PHOTO_EDGE, height: PROFILE_PHOTO_EDGE, fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: true })
      .toFile(out);
    return out;
  } catch (error) {
    await discard([out]);
    throw error;
  } finally {
    await discard([upload.tempPath]);
  }
}

/**
 * Stores a prepared photo as the user's (the built-in avatar no longer applies). The old
 * photo's file is removed once the new one is committed; a failed write removes the new one.
 */
export async function replacePhoto(em: Em, storage: FileStorage, login: Login, preparedPath: string | null, onCommit: (tx: Em) => void) {
  const newKey = preparedPath ? await storage.put(preparedPath) : null;
  const oldKey = login.user.photoKey;
  try {
    login.user.photoKey = newKey;
    if (newKey) login.user.avatar = null;
    onCommit(em);
    await em.flush();
  } catch (error) {
    login.user.photoKey = oldKey;
    if (newKey) await storage.remove(newKey);
    throw error;
  }
  if (oldKey) await storage.remove(oldKey).catch(() => undefined);
}
