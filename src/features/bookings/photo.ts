import type { Request, Response } from 'express';
import type { Em } from '../../db/orm.ts';
import type { BookingResource, StaffUser } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { NotFoundError } from '../../http/errors.ts';
import { discard, PHOTO_AND_PDF_TYPES, receiveUploads } from '../../http/upload.ts';
import { storeThenWrite } from '../../storage/files.ts';
import { auditStaffAction } from '../audit/service.ts';
import { prepareTicketFiles } from '../tickets/photos.ts';

/** Photos only (JPEG, PNG, WebP), judged by content. */
const PHOTO_UPLOADS = {
  types: new Map([...PHOTO_AND_PDF_TYPES].filter(([, mime]) => mime.startsWith('image/'))),
  wrongType: 'bookings:errors.photoType',
};

/**
 * "Foto" of a resource: one photo, received from a multipart form (field `foto`), re-encoded
 * as Vorgang photos are (../tickets/photos.ts), stored, and the old one removed. Returns the
 * i18n key of the problem, or null.
 */
export async function replacePhoto(req: Request, res: Response, staff: StaffUser, resource: BookingResource, now: Date): Promise<string | null> {
  const received = await receiveUploads(req, res, req.storage, 'foto', PHOTO_UPLOADS);
  if (received.error) return received.error;
  if (received.files.length !== 1) {
    await discard(received.files.map((f) => f.tempPath));
    return 'bookings:errors.photoRequired';
  }
  const prepared = await prepareTicketFiles(req.storage, received.files);
  if (prepared.error) return 'bookings:errors.photoUnreadable';
  const [photo] = prepared.files;
  if (photo.thumbPath) await discard([photo.thumbPath]);
  const old = resource.photoKey;
  await storeThenWrite(req.storage, [photo.tempPath], async ([key]) => {
    resource.photoKey = key;
    resource.photoMime = photo.mimeType;
    resource.photoSize = photo.size;
    auditStaffAction(req.em as Em, staff, 'booking_resource.photo', { type: 'BookingResource', id: resource.id }, null, now);
    await req.em.flush();
  });
  if (old) await req.storage.remove(old).catch(() => undefined);
  return null;
}

/** Sends a resource's photo, or a 404 when it has none. */
export async function sendPhoto(res: Response, req: Request, resource: BookingResource) {
  if (!resource.photoKey || !resource.photoMime) throw new NotFoundError(`resource ${resource.id} has no photo`);
  await sendStoredFile(
    res,
    req.storage,
    {
      id: resource.id,
      storageKey: resource.photoKey,
      mimeType: resource.photoMime,
      size: resource.photoSize ?? 0,
      fileName: `${resource.name}.${resource.photoMime.split('/')[1]}`,
    },
    'viewable',
  );
}
