import { Router, type NextFunction, type Request, type Response } from 'express';
import { COMMON_AREAS, Ticket, TicketDocument, ticketReference, type PortalUser, type TicketAttachment } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { textareaField, field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { PHOTO_AND_PDF_UPLOADS, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import type { PropertyAccess } from '../access/service.ts';
import { visibleDocumentIds } from '../documents/visibility.ts';
import { loadPortalPropertyForAnyAccess } from '../portal/routes.ts';
import { joinableTicket, joinableTickets, residentTicket, residentTicketsWhere, residentViewer, ticketSight, visibleFile, visibleTimeline, type TicketViewer } from './access.ts';
import { followerCount, followTicket } from './followers.ts';
import { ticketFilesOrDiscard } from './photos.ts';
import { sendTicketFile, sendTicketPdf } from './files.ts';
import { timelineWording } from './timeline.ts';
import { ticketPdf } from './pdf.ts';
import {
  activeCategories,
  addComment,
  commentProblem,
  createTicket,
  reopenTicket,
  reporterContactFor,
  reportableUnits,
  ticketForm,
  validateTicketForm,
  type TicketForm,
} from './service.ts';

// "Anliegen melden" and "Meine Vorgänge" (seed 000, "Bearbeitung von Anliegen/Vorgängen").
// Which tickets a resident sees, and which of their entries, is decided in ./access.ts only.

const BASE = '/liegenschaften/:propertyId/vorgaenge';
/** The file input of the report and comment forms (last in the form: src/http/upload.ts). */
const UPLOAD_FIELD = 'photos';
/** Notices after a redirect (?hinweis=…), by their key in tickets-portal:notices. */
const NOTICES = ['gemeldet', 'kommentiert', 'wiedergeoeffnet', 'betroffen'];

const listUrl = (res: Response) => `${res.locals.portalBase}/liegenschaften/${res.locals.property.id}/vorgaenge`;
const ticketUrl = (res: Response, ticketId: string) => `${listUrl(res)}/${ticketId}`;
const notice = (req: Request) => (typeof req.query.hinweis === 'string' && NOTICES.includes(req.query.hinweis) ? req.query.hinweis : null);

/** The resident of the request; the preview has none, so what needs one is a 404 there (its POSTs are a 403 before). */
function resident(req: Request): PortalUser {
  if (!req.portalUser) throw new NotFoundError('no resident in the preview');
  return req.portalUser;
}

/** Loads the ticket of the URL through the resident's access (residentTicket): anyone else's is a 404. */
async function loadResidentTicket(req: Request, res: Response, next: NextFunction) {
  const user = resident(req);
  if (!isUuid(req.params.ticketId)) throw new NotFoundError(`malformed ticket id ${req.params.ticketId}`);
  const ticket = await residentTicket(req.em, user, res.locals.access, req.params.ticketId);
  if (!ticket) throw new NotFoundError(`ticket ${req.params.ticketId} not visible to ${user.id}`);
  res.locals.ticket = ticket;
  res.locals.viewer = residentViewer(ticket, user, res.locals.access);
  next();
}

/** "Anliegen melden", empty or as submitted with its messages. */
async function showReportForm(req: Request, res: Response, form: TicketForm, errors: FieldErrors = {}, status = 200) {
  const [categories, units] = await Promise.all([activeCategories(req.em), reportableUnits(req.em, res.locals.access)]);
  render(
    req,
    res,
    'tickets/portal-new',
    { title: req.t('tickets-portal:new.title'), section: 'tickets', form, errors: fieldMessages(req.t, errors), categories, units, areas: COMMON_AREAS },
    status,
  );
}

/** Documents linked to the ticket that the document rule (src/features/documents/visibility.ts) lets this resident see. */
async function visibleLinkedDocuments(req: Request, ticket: Ticket, access: PropertyAccess) {
  const links = await req.em.find(TicketDocument, { ticket: ticket.id, document: { status: 'published' } }, { populate: ['document'], orderBy: { createdAt: 'asc' } });
  if (links.length === 0) return [];
  const visible = new Set(await visibleDocumentIds(req.em, resident(req).id, access));
  return links.map((link) => link.document).filter((document) => visible.has(document.id));
}

/** The detail page; after a failed comment with the text kept and its message (422). What it shows is access.ts's answer for this viewer. */
async function showTicket(req: Request, res: Response, comment = '', errors: FieldErrors = {}, status = 200) {
  const ticket = res.locals.ticket as Ticket;
  const viewer = res.locals.viewer as TicketViewer;
  const access = res.locals.access as PropertyAccess;
  const sight = ticketSight(ticket, viewer);
  const [items, followers, documents] = await Promise.all([
    visibleTimeline(req.em, ticket, viewer),
    sight.followerCount ? followerCount(req.em, ticket) : 0,
    visibleLinkedDocuments(req, ticket, access),
  ]);
  const url = ticketUrl(res, ticket.id);
  render(
    req,
    res,
    'tickets/portal-show',
    {
      title: ticket.title,
      section: 'tickets',
      ticket,
      reference: ticketReference(ticket),
      mergedIntoReference: ticket.mergedInto ? ticketReference(ticket.mergedInto) : null,
      items,
      ...timelineWording(req.t),
      fileBase: `${url}/anhaenge`,
      ticketUrl: url,
      showsReport: sight.report,
      commentPrivate: sight.commentsForStaffOnly,
      followers,
      documents,
      documentBase: `${res.locals.portalBase}/liegenschaften/${access.property.id}/dokumente`,
      mayReopen: ticket.status === 'done' && !ticket.mergedInto && sight.reopen,
      comment,
      errors: fieldMessages(req.t, errors),
      notice: notice(req),
    },
    status,
  );
}

/** A file of the ticket this resident may open (access.ts: visibleFile), or a 404. */
async function visibleAttachment(req: Request, res: Response): Promise<TicketAttachment> {
  const { attachmentId } = req.params;
  if (!isUuid(attachmentId)) throw new NotFoundError(`malformed attachment id ${attachmentId}`);
  const attachment = await visibleFile(req.em, res.locals.ticket, res.locals.viewer, attachmentId);
  if (!attachment) throw new NotFoundError(`attachment ${attachmentId} not visible on this ticket to this resident`);
  return attachment;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview): "Anliegen melden", "Meine Vorgänge". */
export function portalRoutes() {
  const router = Router();

  // Everyone with access to the property, also inside an access window only: one's own
  // concerns are personal. The preview shows the page read-only, without own concerns.
  router.get(BASE, loadPortalPropertyForAnyAccess, async (req, res) => {
    const access = res.locals.access as PropertyAccess;
    const joinable = await joinableTickets(req.em, access);
    let mine: Ticket[] = [];
    let joined = new Set<string>();
    if (req.portalUser) {
      const where = await residentTicketsWhere(req.em, req.portalUser, access);
      mine = await req.em.find(Ticket, where, { populate: ['unit'], orderBy: { lastActivityAt: 'desc', id: 'asc' } });
      joined = new Set(mine.map((t) => t.id));
    }
    render(req, res, 'tickets/portal-index', {
      title: req.t('tickets-portal:index.title'),
      section: 'tickets',
      mine,
      // One's own and followed concerns are listed above, not offered to join.
      joinable: joinable.filter((ticket) => !joined.has(ticket.id)),
      ticketReference,
      readOnly: !req.portalUser,
    });
  });

  router.get(`${BASE}/neu`, loadPortalPropertyForAnyAccess, (req, res) => showReportForm(req, res, ticketForm({})));

  router.post(BASE, loadPortalPropertyForAnyAccess, async (req, res) => {
    const user = resident(req);
    const access = res.locals.access as PropertyAccess;
    const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD, PHOTO_AND_PDF_UPLOADS);
    const form = ticketForm(req.body);
    const [categories, units] = await Promise.all([activeCategories(req.em), reportableUnits(req.em, access)]);
    const { errors, valid } = validateTicketForm(form, categories, units);
    const files = await ticketFilesOrDiscard(req.storage, received, errors, UPLOAD_FIELD);
    if (Object.keys(errors).length > 0 || !valid) return showReportForm(req, res, form, errors, 422);
    const reporterContact = await reporterContactFor(req.em, access, valid, req.deps.clock.now());
    const ticket = await createTicket(req.em, req.storage, { reporter: user, reporterContact, access, form, valid, files, now: req.deps.clock.now(), baseUrl: req.deps.config.baseUrl });
    res.redirect(303, `${ticketUrl(res, ticket.id)}?hinweis=gemeldet`);
  });

  router.get(`${BASE}/:ticketId`, loadPortalPropertyForAnyAccess, loadResidentTicket, (req, res) => showTicket(req, res));

  // The ticket is checked before the upload is received: nothing of a refused comment is kept.
  router.post(`${BASE}/:ticketId/kommentare`, loadPortalPropertyForAnyAccess, loadResidentTicket, async (req, res) => {
    const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD, PHOTO_AND_PDF_UPLOADS);
    const body = textareaField(req.body?.body);
    const errors: FieldErrors = {};
    const problem = commentProblem(body);
    if (problem) errors.body = problem;
    const files = await ticketFilesOrDiscard(req.storage, received, errors, UPLOAD_FIELD);
    if (Object.keys(errors).length > 0) return showTicket(req, res, body, errors, 422);
    const ticket = res.locals.ticket as Ticket;
    const entry = await addComment(req.em, req.storage, ticket, { portalUser: resident(req) }, { body, internal: false, files, now: req.deps.clock.now(), baseUrl: req.deps.config.baseUrl });
    res.redirect(303, `${ticketUrl(res, ticket.id)}?hinweis=kommentiert#entry-${entry.id}`);
  });

  // Only the reporter (or a spouse through the same contact) reopens; for a follower the action does not exist.
  router.post(`${BASE}/:ticketId/erneut-oeffnen`, loadPortalPropertyForAnyAccess, loadResidentTicket, async (req, res) => {
    const ticket = res.locals.ticket as Ticket;
    if (!ticketSight(ticket, res.locals.viewer).reopen) throw new NotFoundError(`ticket ${ticket.id}: only its reporter reopens it`);
    const result = await reopenTicket(req.em, ticket, { portalUser: resident(req) }, req.deps.clock.now(), req.deps.config.baseUrl);
    res.redirect(303, `${ticketUrl(res, ticket.id)}${result === 'changed' ? '?hinweis=wiedergeoeffnet' : ''}`);
  });

  // "Ich bin auch betroffen": an open common-area concern of the house the resident does not see yet.
  router.post(`${BASE}/:ticketId/betroffen`, loadPortalPropertyForAnyAccess, async (req, res) => {
    const user = resident(req);
    const access = res.locals.access as PropertyAccess;
    const { ticketId } = req.params;
    if (!isUuid(ticketId)) throw new NotFoundError(`malformed ticket id ${ticketId}`);
    const ticket = await joinableTicket(req.em, access, ticketId);
    if (!ticket) throw new NotFoundError(`ticket ${ticketId} cannot be joined here`);
    if (await residentTicket(req.em, user, access, ticket.id)) return res.redirect(303, ticketUrl(res, ticket.id));
    await followTicket(req.em, ticket, user, req.deps.clock.now());
    res.redirect(303, `${ticketUrl(res, ticket.id)}?hinweis=betroffen`);
  });

  router.get(`${BASE}/:ticketId/anhaenge/:attachmentId`, loadPortalPropertyForAnyAccess, loadResidentTicket, async (req, res) => {
    await sendTicketFile(res, req.storage, await visibleAttachment(req, res), 'full');
  });

  router.get(`${BASE}/:ticketId/anhaenge/:attachmentId/vorschau`, loadPortalPropertyForAnyAccess, loadResidentTicket, async (req, res) => {
    await sendTicketFile(res, req.storage, await visibleAttachment(req, res), 'thumbnail');
  });

  // "Als PDF speichern": the resident's copy, what their page shows.
  router.get(`${BASE}/:ticketId/pdf`, loadPortalPropertyForAnyAccess, loadResidentTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    sendTicketPdf(res, ticket, await ticketPdf(req.em, ticket, { viewer: res.locals.viewer, t: req.t, storage: req.storage, pdf: req.pdfWorkers }));
  });

  return router;
}
