import { Router, type NextFunction, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { canLogIn } from '../../entities/common.ts';
import { AuditLog, StaffUser, Ticket, TicketAttachment, TICKET_STATUSES, ticketReference } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { findByIdOr404, isUuid } from '../../http/find.ts';
import { textareaField, field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { PHOTO_AND_PDF_UPLOADS, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { reportFiles, STAFF_VIEWER, visibleTimeline, type TimelineItem } from './access.ts';
import { handoverPanel } from './handover.ts';
import { ticketPdf } from './pdf.ts';
import { sendTicketFile, sendTicketPdf } from './files.ts';
import { timelineWording } from './timeline.ts';
import { ticketFilesOrDiscard } from './photos.ts';
import { addComment, assignTicket, changeStatus, commentProblem, isTicketStatus, reopenTicket, submittedVersion, type ChangeResult } from './service.ts';

// Console: one Vorgang (seed 000 "Bearbeitung von Anliegen/Vorgängen", steps 1–6): reporter,
// report, timeline, comment or internal note, status, "Zuständiger Mitarbeiter", reopen, the
// audit trail, its files, the print view and the PDF. Mounted at /verwaltung (staff); the
// tenant filter makes a Vorgang of another Verwaltung a 404. The handover panel (documents,
// Dienstleister, merge) is src/features/tickets/handover.ts and handover-routes.ts.

const BASE = '/verwaltung/vorgaenge';
const FILE_FIELD = 'files';
const POPULATE = ['property', 'unit', 'category', 'assignee', 'reporter', 'reporterContact', 'mergedInto'] as const;

export const ticketPath = (ticket: { id: string }) => `${BASE}/${ticket.id}`;

const loadTicketById = (req: Request, id: unknown, refresh = false) => findByIdOr404(req.em, Ticket, id, { populate: POPULATE, refresh });

/** Loads the Vorgang of the URL into res.locals.ticket (another Verwaltung's or a malformed id: 404). */
export async function loadStaffTicket(req: Request, res: Response, next: NextFunction) {
  res.locals.ticket = await loadTicketById(req, req.params.ticketId);
  next();
}

/**
 * What the detail page's forms show after a failed submit: what was typed and the messages
 * per field. `panel` is merged over handoverPanel()'s answer (the handover routes re-render
 * the page with their own form state this way).
 */
export type DetailState = {
  comment?: { body: string; internal: boolean };
  commentErrors?: FieldErrors;
  status?: string;
  statusErrors?: FieldErrors;
  assignee?: string;
  assignErrors?: FieldErrors;
  panel?: Record<string, unknown>;
};

/** The members of staff a Vorgang can be assigned to: those who can log in (plus the current assignee). */
async function assignableStaff(req: Request, ticket: Ticket): Promise<StaffUser[]> {
  const staff = await req.em.find(StaffUser, canLogIn, { orderBy: { name: 'asc' } });
  if (ticket.assignee && !staff.some((s) => s.id === ticket.assignee!.id)) staff.push(ticket.assignee);
  return staff;
}

/** The audit trail of a Vorgang, newest first, with the names of the staff (one query for them). */
async function auditTrail(req: Request, ticket: Ticket) {
  const rows = await req.em.find(AuditLog, { subjectType: 'ticket', subjectId: ticket.id }, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: 200 });
  const ids = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => isUuid(id)))];
  const staff = ids.length > 0 ? await req.em.find(StaffUser, { id: { $in: ids } }, { fields: ['name'] }) : [];
  const names = new Map(staff.map((s) => [s.id, s.name]));
  return rows.map((row) => ({ row, name: (row.actorId && names.get(row.actorId)) || null, text: auditText(req.t, row) }));
}

/** An audit row's action in words ("Status geändert: Neu → In Bearbeitung"); an action without words names its key. */
function auditText(t: TFunction, row: AuditLog): string {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const action = row.action === 'ticket.assign' && !data.assigneeName ? 'ticket.unassign' : row.action;
  const status = (value: unknown) => (typeof value === 'string' ? t(`tickets:status.${value}`) : '');
  const values = { from: status(data.from), to: status(data.to), name: data.assigneeName ?? '', title: data.title ?? '', email: data.email ?? '', reference: data.reference ?? '' };
  const text = t(`tickets-detail:audit.actions.${action}`, { ...values, defaultValue: '' });
  return typeof text === 'string' && text && !text.includes('returned an object') ? text : t('tickets-detail:audit.actions.other', { action: row.action });
}

/** What the detail page and the print view both show of a ticket (views/tickets/_console-facts.eta, the timeline). */
function ticketView(req: Request, ticket: Ticket, items: TimelineItem[]) {
  const reference = ticketReference(ticket);
  return {
    title: `${req.t('tickets:reference', { reference })} · ${ticket.title}`,
    ticket,
    reference,
    mergedReference: ticket.mergedInto ? ticketReference(ticket.mergedInto) : null,
    base: ticketPath(ticket),
    items,
    reportFiles: reportFiles(items),
    fileBase: `${ticketPath(ticket)}/anhaenge`,
    ...timelineWording(req.t),
  };
}

/** Renders the detail page, with the state of a failed form when there is one. */
export async function renderTicketPage(req: Request, res: Response, ticket: Ticket, state: DetailState = {}, status = 200) {
  const [items, staff, audit, panel] = await Promise.all([visibleTimeline(req.em, ticket, STAFF_VIEWER), assignableStaff(req, ticket), auditTrail(req, ticket), handoverPanel(req.em, ticket)]);
  render(
    req,
    res,
    'tickets/console-detail',
    {
      ...ticketView(req, ticket, items),
      staffList: staff,
      statuses: TICKET_STATUSES,
      audit,
      panel: { ...panel, ...state.panel },
      comment: state.comment ?? { body: '', internal: false },
      commentErrors: fieldMessages(req.t, state.commentErrors ?? {}),
      statusValue: state.status ?? ticket.status,
      statusErrors: fieldMessages(req.t, state.statusErrors ?? {}),
      assigneeValue: state.assignee ?? ticket.assignee?.id ?? '',
      assignErrors: fieldMessages(req.t, state.assignErrors ?? {}),
    },
    status,
  );
}

/** After a conflict: the page with the now-current state, 409, and the message at the field. */
async function showConflict(req: Request, res: Response, ticketId: string, errorField: 'status' | 'assignee') {
  const current = await loadTicketById(req, ticketId, true);
  const message = `${req.t('tickets:errors.conflict')} ${req.t('tickets-detail:conflictNow', { status: req.t(`tickets:status.${current.status}`), assignee: current.assignee?.name ?? req.t('tickets-detail:assign.nobody') })}`;
  const state: DetailState = errorField === 'status' ? { statusErrors: { status: message } } : { assignErrors: { assignee: message } };
  return renderTicketPage(req, res, current, state, 409);
}

function afterChange(req: Request, res: Response, ticket: Ticket, result: ChangeResult, errorField: 'status' | 'assignee') {
  if (result === 'conflict') return showConflict(req, res, ticket.id, errorField);
  res.redirect(303, ticketPath(ticket));
}

/** A stored file of this Vorgang (an attachment of another one is a 404). */
async function ticketAttachment(req: Request, ticket: Ticket): Promise<TicketAttachment> {
  if (!isUuid(req.params.attachmentId)) throw new NotFoundError('malformed attachment id');
  const attachment = await req.em.findOne(TicketAttachment, { id: req.params.attachmentId, ticket: ticket.id });
  if (!attachment) throw new NotFoundError(`attachment ${req.params.attachmentId} not on ticket ${ticket.id}`);
  return attachment;
}

export function detailRoutes() {
  const router = Router();

  router.get('/vorgaenge/:ticketId', loadStaffTicket, (req, res) => renderTicketPage(req, res, res.locals.ticket));

  // "Kommentar": public (the reporter and followers are mailed) or an internal note (nobody is).
  router.post('/vorgaenge/:ticketId/kommentare', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    const received = await receiveUploads(req, res, req.storage, FILE_FIELD, PHOTO_AND_PDF_UPLOADS);
    const comment = { body: textareaField(req.body?.body), internal: field(req.body?.visibility) === 'internal' };
    const errors: FieldErrors = {};
    const problem = commentProblem(comment.body);
    if (problem) errors.body = problem;
    const files = await ticketFilesOrDiscard(req.storage, received, errors, 'files');
    if (Object.keys(errors).length > 0) return renderTicketPage(req, res, ticket, { comment, commentErrors: errors }, 422);
    const entry = await addComment(req.em, req.storage, ticket, { staff: req.staff! }, { ...comment, files, now: req.deps.clock.now(), baseUrl: req.deps.config.baseUrl });
    res.redirect(303, `${ticketPath(ticket)}#entry-${entry.id}`);
  });

  // "Status ändern": the reporter is told even without a comment (seed 000, step 3).
  router.post('/vorgaenge/:ticketId/status', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    const status = field(req.body?.status);
    if (!isTicketStatus(status)) return renderTicketPage(req, res, ticket, { status, statusErrors: { status: 'tickets:errors.statusUnknown' } }, 422);
    const version = submittedVersion(req.body?.version);
    if (version === null) return showConflict(req, res, ticket.id, 'status');
    const result = await changeStatus(req.em, ticket, req.staff!, status, version, req.deps.clock.now(), req.deps.config.baseUrl);
    return afterChange(req, res, ticket, result, 'status');
  });

  // "Zuständiger Mitarbeiter" (seed 000, step 4); "Mir zuweisen" sends `self`.
  router.post('/vorgaenge/:ticketId/zustaendig', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    const chosen = field(req.body?.self) ? req.staff!.id : field(req.body?.assignee);
    let assignee: StaffUser | null = null;
    if (chosen) {
      assignee = isUuid(chosen) ? await req.em.findOne(StaffUser, { id: chosen, ...canLogIn }) : null;
      if (!assignee) return renderTicketPage(req, res, ticket, { assignee: chosen, assignErrors: { assignee: 'tickets:errors.assigneeUnknown' } }, 422);
    }
    const version = submittedVersion(req.body?.version);
    if (version === null) return showConflict(req, res, ticket.id, 'assignee');
    const result = await assignTicket(req.em, ticket, req.staff!, assignee, version, req.deps.clock.now());
    return afterChange(req, res, ticket, result, 'assignee');
  });

  // "Vorgang erneut öffnen" (seed 000, step 6): one of two at once reopens it; both land on the page.
  router.post('/vorgaenge/:ticketId/erneut-oeffnen', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    await reopenTicket(req.em, ticket, { staff: req.staff! }, req.deps.clock.now(), req.deps.config.baseUrl);
    res.redirect(303, ticketPath(ticket));
  });

  router.get('/vorgaenge/:ticketId/anhaenge/:attachmentId', loadStaffTicket, async (req, res) => {
    await sendTicketFile(res, req.storage, await ticketAttachment(req, res.locals.ticket), 'full');
  });

  router.get('/vorgaenge/:ticketId/anhaenge/:attachmentId/vorschau', loadStaffTicket, async (req, res) => {
    await sendTicketFile(res, req.storage, await ticketAttachment(req, res.locals.ticket), 'thumbnail');
  });

  // "Drucken" (seed 000, step 5): the whole communication, internal notes marked.
  router.get('/vorgaenge/:ticketId/drucken', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    render(req, res, 'tickets/print', ticketView(req, ticket, await visibleTimeline(req.em, ticket, STAFF_VIEWER)));
  });

  // "Als PDF speichern" (seed 000, step 5).
  router.get('/vorgaenge/:ticketId/pdf', loadStaffTicket, async (req, res) => {
    const ticket: Ticket = res.locals.ticket;
    sendTicketPdf(res, ticket, await ticketPdf(req.em, ticket, { viewer: STAFF_VIEWER, t: req.t, storage: req.storage, pdf: req.pdfWorkers }));
  });

  return router;
}
