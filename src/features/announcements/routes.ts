import { Router, type Request, type Response } from 'express';
import type { Announcement, Attachment, StaffUser } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { discard, receiveUploads } from '../../http/upload.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { sendStoredFile } from '../../http/download.ts';
import { portalAnnouncementScope, sectionScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { announcementScope, staffScope } from '../../scopes/staff.ts';
import {
  formOf,
  listAnnouncements,
  portalAnnouncements,
  readForm,
  removeAttachment,
  saveAnnouncement,
  targetableProperties,
  validateAnnouncement,
  withdrawAnnouncement,
  type AnnouncementForm,
  type FieldErrors,
  type SaveAction,
} from './service.ts';
import { fieldMessages } from '../../http/forms.ts';
import { recordAnnouncementOpening } from './openings.ts';
import { announcementPublishedAt, announcementReceipts, printAnnouncementLetters } from './receipts.ts';
import { dueForReach, parseReachDays, receiptsView } from '../notifications/receipts.ts';

// Mitteilungen: written and published in the console, read in the portal.

const BASE = '/verwaltung/mitteilungen';

// A new Mitteilung goes to whole properties, so it is on their Hausaushang unless unticked.
const EMPTY_FORM: AnnouncementForm = { title: '', body: '', allProperties: false, propertyIds: [], notifyAgain: false, showOnDisplay: true };

/** The form page "Neue Mitteilung" or the edit page, empty, loaded or as submitted with its messages. */
async function showForm(req: Request, res: Response, announcement: Announcement | null, form: AnnouncementForm, errors: FieldErrors = {}, status = 200) {
  const properties = await targetableProperties(req.em);
  const messages = fieldMessages(req.t, errors);
  const title = announcement ? req.t('announcements:console.editTitle') : req.t('announcements:console.newTitle');
  render(req, res, 'announcements/form', { title, announcement, form, errors: messages, properties, saved: req.query.gespeichert }, status);
}

/** Receives the form (with attachments), validates, saves; answers 422 with the form on problems. */
async function submit(req: Request, res: Response, staff: StaffUser, announcement: Announcement | null) {
  const storage = req.storage;
  const { files, error } = await receiveUploads(req, res, storage, 'attachments');
  const form = readForm(req.body);
  const { errors, properties } = await validateAnnouncement(req.em, form);
  if (error) errors.attachments = error;
  if (Object.keys(errors).length > 0) {
    await discard(files.map((f) => f.tempPath));
    return showForm(req, res, announcement, form, errors, 422);
  }
  const requested = String(req.body.action ?? '');
  const action: SaveAction = requested === 'publish' ? 'publish' : announcement?.status === 'published' ? 'save' : 'draft';
  const saved = await saveAnnouncement(req.em, {
    announcement: announcement ?? undefined,
    form,
    properties,
    uploads: files,
    action,
    staff,
    storage,
    baseUrl: req.deps.config.baseUrl,
    now: req.deps.clock.now(),
  });
  res.redirect(303, `${BASE}/${saved.id}?gespeichert=${saved.status}`);
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/mitteilungen',
    scoped(staffScope, async (req, res) => {
      const result = await listAnnouncements(req.em, pageNumber(req.query.seite));
      render(req, res, 'announcements/index', { title: req.t('announcements:console.listTitle'), ...result });
    }),
  );

  router.get(
    '/mitteilungen/neu',
    scoped(staffScope, (req, res) => showForm(req, res, null, EMPTY_FORM)),
  );
  router.post(
    '/mitteilungen',
    scoped(staffScope, (req, res, { staff }) => submit(req, res, staff, null)),
  );

  // The suggestions of "Senden an": matching properties, the already chosen ones first and kept.
  router.get(
    '/mitteilungen/empfaenger',
    scoped(staffScope, async (req, res) => {
      const q = typeof req.query.q === 'string' ? req.query.q : '';
      const chosen = readForm(req.query as Record<string, unknown>).propertyIds;
      const [matches, all] = await Promise.all([targetableProperties(req.em, q), chosen.length ? targetableProperties(req.em) : Promise.resolve([])]);
      const selected = all.filter((p) => chosen.includes(p.id));
      const properties = [...selected, ...matches.filter((p) => !chosen.includes(p.id))];
      render(req, res, 'announcements/_property-options', { properties, form: { ...EMPTY_FORM, propertyIds: chosen }, q, layout: 'none' });
    }),
  );

  router.get(
    '/mitteilungen/:announcementId',
    scoped(announcementScope, (req, res, { announcement }) => showForm(req, res, announcement, formOf(announcement))),
  );
  router.post(
    '/mitteilungen/:announcementId',
    scoped(announcementScope, (req, res, { staff, announcement }) => submit(req, res, staff, announcement)),
  );

  router.post(
    '/mitteilungen/:announcementId/zurueckziehen',
    scoped(announcementScope, async (req, res, { announcement }) => {
      if (announcement.status === 'published') await withdrawAnnouncement(req.em, announcement, req.deps.clock.now());
      res.redirect(303, `${BASE}/${announcement.id}?gespeichert=${announcement.status}`);
    }),
  );

  // Lesebestätigung: who of the addressed contacts opened it, and "Nicht erreicht" after N days.
  const showReceipts = async (
    req: Request,
    res: Response,
    announcement: Announcement,
    daysInput: string,
    errors: Record<string, string> = {},
    status = 200,
  ) => {
    const receipts = await announcementReceipts(req.em, announcement);
    const base = `${BASE}/${announcement.id}/lesebestaetigung`;
    render(
      req,
      res,
      'announcements/receipts',
      {
        title: req.t('announcements:receipts.title'),
        announcement,
        rc: receiptsView(receipts, {
          ns: 'announcements:receipts',
          idPrefix: 'receipt',
          pageUrl: base,
          printUrl: `${base}/briefe`,
          days: daysInput,
          publishedAt: announcementPublishedAt(announcement),
          now: req.deps.clock.now(),
          errors: fieldMessages(req.t, errors),
          printed: typeof req.query.gedruckt === 'string' ? req.query.gedruckt : null,
        }),
      },
      status,
    );
  };

  router.get(
    '/mitteilungen/:announcementId/lesebestaetigung',
    scoped(announcementScope, async (req, res, { announcement }) => {
      const days = typeof req.query.tage === 'string' ? req.query.tage : '';
      const errors: Record<string, string> = parseReachDays(days) === null ? { tage: 'announcements:receipts.daysInvalid' } : {};
      await showReceipts(req, res, announcement, days, errors, Object.keys(errors).length ? 422 : 200);
    }),
  );

  // One click: a print PDF with a letter per contact not reached (and per contact preferring
  // post), each recorded "per Post". Nothing is recorded when the PDF could not be drawn.
  router.post(
    '/mitteilungen/:announcementId/lesebestaetigung/briefe',
    scoped(announcementScope, async (req, res, { staff, announcement }) => {
      const daysInput = typeof req.body?.tage === 'string' ? req.body.tage : '';
      const days = parseReachDays(daysInput);
      if (days === null) return showReceipts(req, res, announcement, daysInput, { tage: 'announcements:receipts.daysInvalid' }, 422);
      if (!dueForReach(announcementPublishedAt(announcement), days, req.deps.clock.now())) {
        return showReceipts(req, res, announcement, daysInput, { tage: 'announcements:receipts.notDue' }, 422);
      }
      const result = await printAnnouncementLetters(req.em, { storage: req.storage, pdf: req.pdfWorkers, staff, announcement, now: req.deps.clock.now() });
      if (!result.pdf) return res.redirect(303, `${BASE}/${announcement.id}/lesebestaetigung?tage=${days}&gedruckt=0`);
      res.set('Content-Type', 'application/pdf');
      res.set('Content-Disposition', `attachment; filename="mitteilung-briefe-${announcement.id.slice(0, 8)}.pdf"`);
      res.set('X-Content-Type-Options', 'nosniff');
      res.send(Buffer.from(result.pdf));
    }),
  );

  router.post(
    '/mitteilungen/:announcementId/anhaenge/:attachmentId/loeschen',
    scoped(announcementScope, async (req, res, { announcement }) => {
      const attachment = announcement.attachments.getItems().find((a) => a.id === req.params.attachmentId);
      if (!attachment) throw new NotFoundError(`attachment ${req.params.attachmentId} not on announcement ${announcement.id}`);
      await removeAttachment(req.em, attachment, req.storage);
      res.redirect(303, `${BASE}/${announcement.id}`);
    }),
  );

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();
  const base = '/liegenschaften/:propertyId/mitteilungen';

  router.get(
    base,
    scoped(sectionScope('announcements'), async (req, res, { property }) => {
      const result = await portalAnnouncements(req.em, property.id, pageNumber(req.query.seite));
      render(req, res, 'announcements/portal-index', { title: req.t('announcements:portal.title'), section: 'announcements', ...result });
    }),
  );

  router.get(
    `${base}/:announcementId`,
    scoped(portalAnnouncementScope, async (req, res, { announcement, user }) => {
      // Shown to a resident (never the preview): counts as opened (Lesebestätigung, ./openings.ts).
      if (user && !req.preview) await recordAnnouncementOpening(req.em, announcement.organization.id, announcement.id, user.id, req.deps.clock.now());
      render(req, res, 'announcements/portal-show', { title: announcement.title, section: 'announcements', announcement });
    }),
  );

  router.get(
    `${base}/:announcementId/anhaenge/:attachmentId`,
    scoped(portalAnnouncementScope, async (req, res, { announcement }) => {
      const attachment = announcement.attachments.getItems().find((a: Attachment) => a.id === req.params.attachmentId);
      if (!attachment) throw new NotFoundError(`attachment ${req.params.attachmentId} not visible`);
      await sendStoredFile(res, req.storage, attachment, 'viewable');
    }),
  );

  return router;
}
