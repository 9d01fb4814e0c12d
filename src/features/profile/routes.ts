import { Router, type Request, type Response } from 'express';
import { field, fieldMessages } from '../../http/forms.ts';
import { LANGUAGE_COOKIE } from '../../http/i18n.ts';
import { discard, receiveUploads } from '../../http/upload.ts';
import { sendStoredFile } from '../../http/download.ts';
import { render } from '../../http/views.ts';
import type { StaffUser } from '../../entities/index.ts';
import { residentScope } from '../../scopes/portal.ts';
import { contactChangeScope, portalPhotoScope, staffPhotoScope } from '../../scopes/profile.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { auditPortalAction, auditStaffAction } from '../audit/service.ts';
import { savedTo, showProfile } from '../registration/profile-page.ts';
import { AVATARS, avatarUrl } from './avatars.ts';
import { acceptContactChange, proposalLockedByErp, rejectContactChange } from './contact-changes.ts';
import { HttpError } from '../../http/errors.ts';
import { type Login, photoUrl, prepareProfilePhoto, PROFILE_PHOTO_UPLOADS, replacePhoto } from './photo.ts';
import {
  avatarProblem,
  confirmEmailChange,
  emailChangeFor,
  requestEmailChange,
  updateDisplayName,
  updateLanguage,
  updateStaffProfile,
  validateDisplayName,
  validateStaffProfile,
} from './service.ts';

const PHOTO_FIELD = 'photo';

/**
 * Receives a profile photo and makes it the login's; the i18n key of the problem otherwise
 * (nothing is written then, and no temp file is left).
 */
async function receivePhoto(req: Request, res: Response, login: Login, onCommit: (tx: Request['em']) => void): Promise<string | null> {
  const received = await receiveUploads(req, res, req.storage, PHOTO_FIELD, PROFILE_PHOTO_UPLOADS);
  if (received.error) return received.error;
  const [upload, ...more] = received.files;
  if (!upload || more.length > 0) {
    await discard(received.files.map((f) => f.tempPath));
    return 'profile:errors.photoMissing';
  }
  let prepared: string;
  try {
    prepared = await prepareProfilePhoto(req.storage, upload);
  } catch {
    return 'profile:errors.photoUnreadable';
  }
  await replacePhoto(req.em, req.storage, login, prepared, onCommit);
  return null;
}

/** Sends a photo the scope allowed (a small JPEG made by prepareProfilePhoto). */
async function sendPhoto(req: Request, res: Response, photoKey: string, ownerId: string) {
  const size = await req.storage.size(photoKey).catch(() => 0);
  await sendStoredFile(res, req.storage, { id: ownerId, storageKey: photoKey, mimeType: 'image/jpeg', size, fileName: 'profilfoto.jpg' }, 'viewable');
}

/** The resident's profile sections (photo, avatar, display name, e-mail, language) and photos seen from the portal. */
export function portalRoutes() {
  const router = Router();

  router.post(
    '/profil/foto',
    scoped(residentScope, async (req, res, { user }) => {
      const now = req.deps.clock.now();
      const problem = await receivePhoto(req, res, { area: 'portal', user }, (tx) => auditPortalAction(tx, user, 'profile.photo', null, now));
      if (problem) return showProfile(req, res, user, {}, fieldMessages(req.t, { photo: problem }), 422);
      res.redirect(303, savedTo('photo', '#photo-section'));
    }),
  );

  router.post(
    '/profil/foto/entfernen',
    scoped(residentScope, async (req, res, { user }) => {
      const now = req.deps.clock.now();
      if (user.photoKey)
        await replacePhoto(req.em, req.storage, { area: 'portal', user }, null, (tx) => auditPortalAction(tx, user, 'profile.photo_removed', null, now));
      res.redirect(303, savedTo('photoRemoved', '#photo-section'));
    }),
  );

  router.post(
    '/profil/avatar',
    scoped(residentScope, async (req, res, { user }) => {
      const avatar = field(req.body.avatar);
      const errors = avatarProblem(avatar);
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { avatar }, fieldMessages(req.t, errors), 422);
      const now = req.deps.clock.now();
      // An avatar takes the photo's place: the photo is removed, not kept hidden.
      await replacePhoto(req.em, req.storage, { area: 'portal', user }, null, (tx) => {
        user.avatar = avatar || null;
        auditPortalAction(tx, user, 'profile.avatar', { avatar: avatar || null }, now);
      });
      res.redirect(303, savedTo('avatar', '#photo-section'));
    }),
  );

  router.post(
    '/profil/anzeigename',
    scoped(residentScope, async (req, res, { user }) => {
      const displayName = field(req.body.displayName);
      const errors = validateDisplayName(displayName);
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { displayName }, fieldMessages(req.t, errors), 422);
      await updateDisplayName(req.em, user, displayName, req.deps.clock.now());
      res.redirect(303, savedTo('displayName', '#display-name'));
    }),
  );

  router.post(
    '/profil/e-mail',
    scoped(residentScope, async (req, res, { user }) => {
      const newEmail = field(req.body.newEmail).trim();
      const result = await requestEmailChange(
        req.em,
        user,
        { newEmail, currentPassword: field(req.body.currentPassword) },
        req.deps.config.baseUrl,
        req.deps.clock.now(),
      );
      if (!('sentTo' in result)) return showProfile(req, res, user, { newEmail }, fieldMessages(req.t, result), 422);
      res.redirect(303, `${savedTo('emailRequested')}&an=${encodeURIComponent(result.sentTo)}#email-change`);
    }),
  );

  router.post(
    '/profil/sprache',
    scoped(residentScope, async (req, res, { user }) => {
      const locale = field(req.body.locale);
      const errors = await updateLanguage(req.em, user, locale);
      if (Object.keys(errors).length > 0) return showProfile(req, res, user, { locale }, fieldMessages(req.t, errors), 422);
      res.cookie(LANGUAGE_COOKIE, locale, { sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, path: '/' });
      res.redirect(303, savedTo('language', '#language'));
    }),
  );

  router.get(
    '/fotos/:kind/:userId',
    scoped(portalPhotoScope, (req, res, { owner, photoKey }) => sendPhoto(req, res, photoKey, owner.user.id)),
  );

  return router;
}

/** The confirmation link of an e-mail change: no login needed, the token is the key. */
export function publicRoutes() {
  const router = Router();
  const path = '/e-mail-bestaetigen/:token';

  const showInvalid = (req: Request, res: Response) =>
    render(req, res, 'profile/email-confirm', { layout: 'public', title: req.t('profile:confirm.title'), state: 'invalid' }, 410);

  router.get(
    path,
    scoped(publicScope, async (req, res) => {
      const change = await emailChangeFor(req.em, String(req.params.token), req.deps.clock.now());
      if (!change) return showInvalid(req, res);
      render(req, res, 'profile/email-confirm', {
        layout: 'public',
        title: req.t('profile:confirm.title'),
        state: 'ask',
        newEmail: change.newEmail,
        token: String(req.params.token),
      });
    }),
  );

  // A POST, so a mail scanner that opens the link does not confirm for the owner.
  router.post(
    path,
    scoped(publicScope, async (req, res) => {
      const result = await confirmEmailChange(req.em, String(req.params.token), req.deps.config.baseUrl, req.deps.clock.now());
      if (result === 'invalid') return showInvalid(req, res);
      if (result === 'taken')
        return render(req, res, 'profile/email-confirm', { layout: 'public', title: req.t('profile:confirm.title'), state: 'taken' }, 409);
      render(req, res, 'profile/email-confirm', { layout: 'public', title: req.t('profile:confirm.title'), state: 'done', newEmail: result.email });
    }),
  );

  return router;
}

// --- Console: Mein Profil (each staff member for themself) ------------------------------------

type StaffForm = { position: string; phone: string };

function showStaffProfile(req: Request, res: Response, staff: StaffUser, form?: StaffForm, errors: Record<string, string> = {}, status = 200) {
  render(
    req,
    res,
    'profile/staff',
    {
      title: req.t('profile:staff.title'),
      member: staff,
      form: form ?? { position: staff.position ?? '', phone: staff.phone ?? '' },
      errors,
      photoUrl: photoUrl('/verwaltung', { area: 'staff', user: staff }),
      avatars: AVATARS.map((name) => ({ name, url: avatarUrl(name) })),
      saved: req.query.gespeichert === '1',
    },
    status,
  );
}

export function consoleRoutes() {
  const router = Router();

  router.get(
    '/profil',
    scoped(staffScope, (req, res, { staff }) => showStaffProfile(req, res, staff)),
  );

  router.post(
    '/profil',
    scoped(staffScope, async (req, res, { staff }) => {
      const form = { position: field(req.body.position), phone: field(req.body.phone) };
      const errors = validateStaffProfile(form);
      if (Object.keys(errors).length > 0) return showStaffProfile(req, res, staff, form, fieldMessages(req.t, errors), 422);
      await updateStaffProfile(req.em, staff, form, req.deps.clock.now());
      res.redirect(303, '/verwaltung/profil?gespeichert=1');
    }),
  );

  router.post(
    '/profil/foto',
    scoped(staffScope, async (req, res, { staff }) => {
      const now = req.deps.clock.now();
      const subject = { type: 'StaffUser', id: staff.id };
      const problem = await receivePhoto(req, res, { area: 'staff', user: staff }, (tx) => auditStaffAction(tx, staff, 'profile.photo', subject, null, now));
      if (problem) return showStaffProfile(req, res, staff, undefined, fieldMessages(req.t, { photo: problem }), 422);
      res.redirect(303, '/verwaltung/profil?gespeichert=1');
    }),
  );

  router.post(
    '/profil/foto/entfernen',
    scoped(staffScope, async (req, res, { staff }) => {
      const now = req.deps.clock.now();
      const subject = { type: 'StaffUser', id: staff.id };
      if (staff.photoKey)
        await replacePhoto(req.em, req.storage, { area: 'staff', user: staff }, null, (tx) =>
          auditStaffAction(tx, staff, 'profile.photo_removed', subject, null, now),
        );
      res.redirect(303, '/verwaltung/profil?gespeichert=1');
    }),
  );

  router.post(
    '/profil/avatar',
    scoped(staffScope, async (req, res, { staff }) => {
      const avatar = field(req.body.avatar);
      const errors = avatarProblem(avatar);
      if (Object.keys(errors).length > 0) return showStaffProfile(req, res, staff, undefined, fieldMessages(req.t, errors), 422);
      const now = req.deps.clock.now();
      await replacePhoto(req.em, req.storage, { area: 'staff', user: staff }, null, (tx) => {
        staff.avatar = avatar || null;
        auditStaffAction(tx, staff, 'profile.avatar', { type: 'StaffUser', id: staff.id }, null, now);
      });
      res.redirect(303, '/verwaltung/profil?gespeichert=1');
    }),
  );

  // Phone and address a resident proposed, on the contact's page: accept or reject.
  router.post(
    '/kontakte/:contactId/aenderungen/:changeId/annehmen',
    scoped(contactChangeScope, async (req, res, { staff, contact, change }) => {
      if (proposalLockedByErp(contact)) throw new HttpError(409, 'profile:contactChanges.erpLocked');
      await acceptContactChange(req.em, staff, change, req.deps.clock.now());
      res.redirect(303, `/verwaltung/kontakte/${contact.id}?erledigt=gespeichert`);
    }),
  );

  router.post(
    '/kontakte/:contactId/aenderungen/:changeId/ablehnen',
    scoped(contactChangeScope, async (req, res, { staff, contact, change }) => {
      await rejectContactChange(req.em, staff, change, req.deps.clock.now());
      res.redirect(303, `/verwaltung/kontakte/${contact.id}`);
    }),
  );

  router.get(
    '/fotos/:kind/:userId',
    scoped(staffPhotoScope, (req, res, { owner, photoKey }) => sendPhoto(req, res, photoKey, owner.user.id)),
  );

  return router;
}
