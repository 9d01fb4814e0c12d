import type { Request } from 'express';
import { ContactChangeRequest, PortalUser, StaffUser } from '../entities/index.ts';
import { NotFoundError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import { PHOTO_KINDS } from '../features/profile/photo.ts';
import { mayViewPhoto, type PhotoOwner, type PhotoViewer } from '../features/profile/visibility.ts';
import { residentScope } from './portal.ts';
import { within } from './scope.ts';
import { contactScope, findInScope, staffScope } from './staff.ts';

// A profile photo (/portal/fotos/:kind/:userId, /verwaltung/fotos/:kind/:userId): the login is
// looked up among the viewer's Verwaltung, and the one rule of who may see whose photo
// (src/features/profile/visibility.ts) decides; anything else, or no photo, is a 404.

async function photoOwner(req: Request, viewer: PhotoViewer): Promise<{ owner: PhotoOwner; photoKey: string }> {
  const kind = PHOTO_KINDS[req.params.kind as keyof typeof PHOTO_KINDS];
  const id = req.params.userId;
  if (!kind || !isUuid(id)) throw new NotFoundError('no such photo');
  const where = { id, organization: viewer.user.organization.id };
  const all = { filters: { tenant: false } } as const;
  const owner: PhotoOwner | null =
    kind === 'portal'
      ? await req.em.findOne(PortalUser, where, all).then((user) => (user ? { kind, user } : null))
      : await req.em.findOne(StaffUser, where, all).then((user) => (user ? { kind, user } : null));
  if (!owner?.user.photoKey || !mayViewPhoto(viewer, owner)) throw new NotFoundError('photo not visible');
  return { owner, photoKey: owner.user.photoKey };
}

export const portalPhotoScope = within(residentScope, 'photo', ({ user }, req) => photoOwner(req, { area: 'portal', user }));
export const staffPhotoScope = within(staffScope, 'photo', ({ staff }, req) => photoOwner(req, { area: 'staff', user: staff }));

/** An open proposal of phone and address for the contact of the URL (/verwaltung/kontakte/:contactId/aenderungen/:changeId). */
export const contactChangeScope = within(contactScope, 'change', async ({ contact }, req) => ({
  change: await findInScope(req, ContactChangeRequest, 'changeId', { contact: contact.id, status: 'open' }, { populate: ['contact'] }),
}));
