import { sharedAppointments } from '../orders/service.ts';
import { Router, type Request, type Response } from 'express';
import { COMMON_AREAS, type Ticket, TicketDocument, ticketReference, type TicketAttachment } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { textareaField, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { PHOTO_AND_PDF_UPLOADS, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import {
  portalPropertyScope,
  propertyBase,
  residentPropertyScope,
  residentTicketScope,
  type PortalPropertyScope,
  type ResidentPropertyScope,
} from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import type { PropertyAccess } from '../access/service.ts';
import { visibleDocumentIds } from '../documents/visibility.ts';
import {
  joinableTicket,
  mayReopen,
  portalTicketLists,
  residentTicket,
  residentViewer,
  ticketSight,
  visibleFile,
  visibleTimeline,
  type TicketViewer,
} from './access.ts';
import { assigneeAsSeen } from '../absence/service.ts';
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
// Which tickets a resident sees, and which of their entries, is decided in ./access.ts only;
// the scopes (src/scopes/portal.ts) load the property and the ticket through it. Everyone
// with access to the property reaches these pages, also inside an access window only: one's
// own concerns are personal. The preview shows the list and the form read-only; a ticket of
// a resident's is a 404 there (residentTicketScope).

const BASE = '/liegenschaften/:propertyId/vorgaenge';
/** The file input of the report and comment forms (last in the form: src/http/upload.ts). */
const UPLOAD_FIELD = 'photos';
/** Notices after a redirect (?hinweis=…), by their key in tickets-portal:notices. */
const NOTICES = ['gemeldet', 'kommentiert', 'wiedergeoeffnet', 'betroffen'];

const listUrl = (scope: PortalPropertyScope) => `${propertyBase(scope)}/vorgaenge`;
const ticketUrl = (scope: PortalPropertyScope, ticketId: string) => `${listUrl(scope)}/${ticketId}`;
const notice = (req: Request) => (typeof req.query.hinweis === 'string' && NOTICES.includes(req.query.hinweis) ? req.query.hinweis : null);

/** What the pages of one ticket work with: the ticket the resident sees (residentTicketScope) and how they stand to it. */
type TicketPage = ResidentPropertyScope & { ticket: Ticket; viewer: TicketViewer };

const withViewer = (scope: ResidentPropertyScope & { ticket: Ticket }): TicketPage => ({
  ...scope,
  viewer: residentViewer(scope.ticket, scope.user, scope.access),
});

/** "Anliegen melden", empty or as submitted with its messages. */
async function showReportForm(req: Request, res: Response, access: PropertyAccess, form: TicketForm, errors: FieldErrors = {}, status = 200) {
  const [categories, units] = await Promise.all([activeCategories(req.em), reportableUnits(req.em, access)]);
  render(
    req,
    res,
    'tickets/portal-new',
    { title: req.t('tickets-portal:new.title'), section: 'tickets', form, errors: fieldMessages(req.t, errors), categories, units, areas: COMMON_AREAS },
    status,
  );
}

/** Documents linked to the ticket that the document rule (src/features/documents/visibility.ts) lets this resident see. */
async function visibleLinkedDocuments(req: Request, { ticket, user, access }: TicketPage) {
  const links = await req.em.find(
    TicketDocument,
    { ticket: ticket.id, document: { status: 'published' } },
    { populate: ['document'], orderBy: { createdAt: 'asc' } },
  );
  if (links.length === 0) return [];
  const visible = new Set(await visibleDocumentIds(req.em, { user, access }));
  return links.map((link) => link.document).filter((document) => visible.has(document.id));
}

/** The detail page; after a failed comment with the text kept and its message (422). What it shows is access.ts's answer for this viewer. */
async function showTicket(req: Request, res: Response, page: TicketPage, comment = '', errors: FieldErrors = {}, status = 200) {
  const { ticket, viewer } = page;
  const sight = ticketSight(ticket, viewer);
  const [items, followers, documents, assignee, providerAppointments] = await Promise.all([
    visibleTimeline(req.em, ticket, viewer),
    sight.followerCount ? followerCount(req.em, ticket) : 0,
    visibleLinkedDocuments(req, page),
    // While the assignee is absent, residents see the substitute "in Vertretung für …" (src/features/absence).
    assigneeAsSeen(req.em, ticket.assignee, req.deps.clock.now()),
    // "Termin mit Handwerker am …" where staff shared a Dienstleister's appointment (src/features/orders).
    sharedAppointments(req.em, ticket),
  ]);
  const url = ticketUrl(page, ticket.id);
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
      ...timelineWording(req.t, 'resident'),
      fileBase: `${url}/anhaenge`,
      ticketUrl: url,
      showsReport: sight.report,
      commentPrivate: sight.commentsForStaffOnly,
      followers,
      assignee,
      providerAppointments,
      documents,
      documentBase: `${propertyBase(page)}/dokumente`,
      mayReopen: mayReopen(ticket, viewer),
      comment,
      errors: fieldMessages(req.t, errors),
      notice: notice(req),
    },
    status,
  );
}

/** A file of the ticket this resident may open (access.ts: visibleFile), or a 404. */
async function visibleAttachment(req: Request, { ticket, viewer }: TicketPage): Promise<TicketAttachment> {
  const { attachmentId } = req.params;
  if (!isUuid(attachmentId)) throw new NotFoundError(`malformed attachment id ${attachmentId}`);
  const attachment = await visibleFile(req.em, ticket, viewer, attachmentId);
  if (!attachment) throw new NotFoundError(`attachment ${attachmentId} not visible on this ticket to this resident`);
  return attachment;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview): "Anliegen melden", "Meine Vorgänge". */
export function portalRoutes() {
  const router = Router();

  // The preview shows the page read-only, without own concerns.
  router.get(
    BASE,
    scoped(portalPropertyScope, async (req, res, { user, access }) => {
      const { mine, joinable } = await portalTicketLists(req.em, user, access);
      render(req, res, 'tickets/portal-index', {
        title: req.t('tickets-portal:index.title'),
        section: 'tickets',
        mine,
        joinable,
        ticketReference,
        readOnly: !user,
      });
    }),
  );

  router.get(
    `${BASE}/neu`,
    scoped(portalPropertyScope, (req, res, { access }) => showReportForm(req, res, access, ticketForm({}))),
  );

  router.post(
    BASE,
    scoped(residentPropertyScope, async (req, res, scope) => {
      const { user, access } = scope;
      const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD, PHOTO_AND_PDF_UPLOADS);
      const form = ticketForm(req.body);
      const [categories, units] = await Promise.all([activeCategories(req.em), reportableUnits(req.em, access)]);
      const { errors, valid } = validateTicketForm(form, categories, units);
      const files = await ticketFilesOrDiscard(req.storage, received, errors, UPLOAD_FIELD);
      if (Object.keys(errors).length > 0 || !valid) return showReportForm(req, res, access, form, errors, 422);
      const reporterContact = await reporterContactFor(req.em, access, valid, req.deps.clock.now());
      const ticket = await createTicket(req.em, req.storage, {
        reporter: user,
        reporterContact,
        access,
        form,
        valid,
        files,
        now: req.deps.clock.now(),
        baseUrl: req.deps.config.baseUrl,
      });
      res.redirect(303, `${ticketUrl(scope, ticket.id)}?hinweis=gemeldet`);
    }),
  );

  router.get(
    `${BASE}/:ticketId`,
    scoped(residentTicketScope, (req, res, scope) => showTicket(req, res, withViewer(scope))),
  );

  // The ticket is checked before the upload is received: nothing of a refused comment is kept.
  router.post(
    `${BASE}/:ticketId/kommentare`,
    scoped(residentTicketScope, async (req, res, scope) => {
      const { user, ticket } = scope;
      const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD, PHOTO_AND_PDF_UPLOADS);
      const body = textareaField(req.body?.body);
      const errors: FieldErrors = {};
      const problem = commentProblem(body);
      if (problem) errors.body = problem;
      const files = await ticketFilesOrDiscard(req.storage, received, errors, UPLOAD_FIELD);
      if (Object.keys(errors).length > 0) return showTicket(req, res, withViewer(scope), body, errors, 422);
      const entry = await addComment(
        req.em,
        req.storage,
        ticket,
        { portalUser: user },
        { body, internal: false, files, now: req.deps.clock.now(), baseUrl: req.deps.config.baseUrl },
      );
      res.redirect(303, `${ticketUrl(scope, ticket.id)}?hinweis=kommentiert#entry-${entry.id}`);
    }),
  );

  // Who may reopen, and when, is access.ts reopenRight: for a follower the action does not exist (404).
  router.post(
    `${BASE}/:ticketId/erneut-oeffnen`,
    scoped(residentTicketScope, async (req, res, scope) => {
      const { user, ticket } = scope;
      const result = await reopenTicket(req.em, ticket, { portalUser: user }, req.deps.clock.now(), req.deps.config.baseUrl);
      if (result === 'refused') throw new NotFoundError(`ticket ${ticket.id}: only its reporter reopens it`);
      res.redirect(303, `${ticketUrl(scope, ticket.id)}${result === 'changed' ? '?hinweis=wiedergeoeffnet' : ''}`);
    }),
  );

  // "Ich bin auch betroffen": an open common-area concern of the house the resident does not see yet.
  router.post(
    `${BASE}/:ticketId/betroffen`,
    scoped(residentPropertyScope, async (req, res, scope) => {
      const { user, access } = scope;
      const { ticketId } = req.params;
      if (!isUuid(ticketId)) throw new NotFoundError(`malformed ticket id ${ticketId}`);
      const ticket = await joinableTicket(req.em, access, ticketId);
      if (!ticket) throw new NotFoundError(`ticket ${ticketId} cannot be joined here`);
      if (await residentTicket(req.em, user, access, ticket.id)) return res.redirect(303, ticketUrl(scope, ticket.id));
      await followTicket(req.em, ticket, user, req.deps.clock.now());
      res.redirect(303, `${ticketUrl(scope, ticket.id)}?hinweis=betroffen`);
    }),
  );

  router.get(
    `${BASE}/:ticketId/anhaenge/:attachmentId`,
    scoped(residentTicketScope, async (req, res, scope) => {
      await sendTicketFile(res, req.storage, await visibleAttachment(req, withViewer(scope)), 'full');
    }),
  );

  router.get(
    `${BASE}/:ticketId/anhaenge/:attachmentId/vorschau`,
    scoped(residentTicketScope, async (req, res, scope) => {
      await sendTicketFile(res, req.storage, await visibleAttachment(req, withViewer(scope)), 'thumbnail');
    }),
  );

  // "Als PDF speichern": the resident's copy, what their page shows.
  router.get(
    `${BASE}/:ticketId/pdf`,
    scoped(residentTicketScope, async (req, res, scope) => {
      const { ticket, viewer } = withViewer(scope);
      sendTicketPdf(
        res,
        ticket,
        await ticketPdf(req.em, ticket, { viewer, t: req.t, storage: req.storage, pdf: req.pdfWorkers, now: req.deps.clock.now() }),
        'resident',
      );
    }),
  );

  return router;
}
