import { Router, type Request, type Response } from 'express';
import { Announcement, Attachment } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { discard, receiveUploads } from '../../http/upload.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { sendStoredFile } from '../../http/download.ts';
import { loadPortalProperty, loadPortalPropertyForList } from '../portal/routes.ts';
import {
  formOf,
  listAnnouncements,
  portalAnnouncements,
  readForm,
  removeAttachment,
  saveAnnouncement,
  targetableProperties,
  validateAnnouncement,
  visibleAnnouncement,
  withdrawAnnouncement,
  type AnnouncementForm,
  type FieldErrors,
  type SaveAction,
} from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

// Mitteilungen: written and published in the console, read in the portal.

const BASE = '/verwaltung/mitteilungen';

const EMPTY_FORM: AnnouncementForm = { title: '', body: '', allProperties: false, propertyIds: [], notifyAgain: false };

/** The form page "Neue Mitteilung" or the edit page, empty, loaded or as submitted with its messages. */
async function showForm(req: Request, res: Response, announcement: Announcement | null, form: AnnouncementForm, errors: FieldErrors = {}, status = 200) {
  const properties = await targetableProperties(req.em);
  const messages = fieldMessages(req.t, errors);
  const title = announcement ? req.t('announcements:console.editTitle') : req.t('announcements:console.newTitle');
  render(req, res, 'announcements/form', { title, announcement, form, errors: messages, properties, saved: req.query.gespeichert }, status);
}

/** Receives the form (with attachments), validates, saves; answers 422 with the form on problems. */
async function submit(req: Request, res: Response, announcement: Announcement | null) {
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
    staff: req.staff!,
    storage,
    baseUrl: req.deps.config.baseUrl,
    now: req.deps.clock.now(),
  });
  res.redirect(303, `${BASE}/${saved.id}?gespeichert=${saved.status}`);
}

const loadAnnouncement = (req: Request) => findByIdOr404(req.em, Announcement, req.params.announcementId, { populate: ['properties', 'attachments'] });

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get('/mitteilungen', async (req, res) => {
    const result = await listAnnouncements(req.em, pageNumber(req.query.seite));
    render(req, res, 'announcements/index', { title: req.t('announcements:console.listTitle'), ...result });
  });

  router.get('/mitteilungen/neu', (req, res) => showForm(req, res, null, EMPTY_FORM));
  router.post('/mitteilungen', (req, res) => submit(req, res, null));

  // The suggestions of "Senden an": matching properties, the already chosen ones first and kept.
  router.get('/mitteilungen/empfaenger', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const chosen = readForm(req.query as Record<string, unknown>).propertyIds;
    const [matches, all] = await Promise.all([targetableProperties(req.em, q), chosen.length ? targetableProperties(req.em) : Promise.resolve([])]);
    const selected = all.filter((p) => chosen.includes(p.id));
    const properties = [...selected, ...matches.filter((p) => !chosen.includes(p.id))];
    render(req, res, 'announcements/_property-options', { properties, form: { ...EMPTY_FORM, propertyIds: chosen }, q, layout: 'none' });
  });

  router.get('/mitteilungen/:announcementId', async (req, res) => {
    const announcement = await loadAnnouncement(req);
    await showForm(req, res, announcement, formOf(announcement));
  });
  router.post('/mitteilungen/:announcementId', async (req, res) => submit(req, res, await loadAnnouncement(req)));

  router.post('/mitteilungen/:announcementId/zurueckziehen', async (req, res) => {
    const announcement = await loadAnnouncement(req);
    if (announcement.status === 'published') await withdrawAnnouncement(req.em, announcement, req.deps.clock.now());
    res.redirect(303, `${BASE}/${announcement.id}?gespeichert=${announcement.status}`);
  });

  router.post('/mitteilungen/:announcementId/anhaenge/:attachmentId/loeschen', async (req, res) => {
    const announcement = await loadAnnouncement(req);
    const attachment = announcement.attachments.getItems().find((a) => a.id === req.params.attachmentId);
    if (!attachment) throw new NotFoundError(`attachment ${req.params.attachmentId} not on announcement ${announcement.id}`);
    await removeAttachment(req.em, attachment, req.storage);
    res.redirect(303, `${BASE}/${announcement.id}`);
  });

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();
  const base = '/liegenschaften/:propertyId/mitteilungen';

  router.get(base, loadPortalPropertyForList('announcements'), async (req, res) => {
    const result = await portalAnnouncements(req.em, res.locals.property.id, pageNumber(req.query.seite));
    render(req, res, 'announcements/portal-index', { title: req.t('announcements:portal.title'), section: 'announcements', ...result });
  });

  router.get(`${base}/:announcementId`, loadPortalProperty, async (req, res) => {
    const announcement = await visibleAnnouncement(req.em, res.locals.property.id, String(req.params.announcementId));
    if (!announcement) throw new NotFoundError(`announcement ${req.params.announcementId} not visible`);
    render(req, res, 'announcements/portal-show', { title: announcement.title, section: 'announcements', announcement });
  });

  router.get(`${base}/:announcementId/anhaenge/:attachmentId`, loadPortalProperty, async (req, res) => {
    const announcement = await visibleAnnouncement(req.em, res.locals.property.id, String(req.params.announcementId));
    const attachment = announcement?.attachments.getItems().find((a: Attachment) => a.id === req.params.attachmentId);
    if (!attachment) throw new NotFoundError(`attachment ${req.params.attachmentId} not visible`);
    await sendStoredFile(res, req.storage, attachment, 'viewable');
  });

  return router;
}
