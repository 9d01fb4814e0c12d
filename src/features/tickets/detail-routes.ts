import { Router, type Request, type Response } from 'express';
import { canLogIn } from '../../entities/common.ts';
import { StaffUser, Ticket } from '../../entities/index.ts';
import { findByIdOr404, isUuid } from '../../http/find.ts';
import { textareaField, field, type FieldErrors } from '../../http/forms.ts';
import { PHOTO_AND_PDF_UPLOADS, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { ticketAttachmentScope, ticketScope } from '../../scopes/staff.ts';
import { STAFF_VIEWER, visibleTimeline } from './access.ts';
import { ticketPdf } from './pdf.ts';
import { sendTicketFile, sendTicketPdf } from './files.ts';
import { ticketFilesOrDiscard } from './photos.ts';
import { renderTicketPage, ticketPath, ticketView, type DetailState } from './detail-page.ts';
import { addComment, assignTicket, changeStatus, commentProblem, isTicketStatus, reopenTicket, submittedVersion, type ChangeResult } from './service.ts';

// Console: one Vorgang (seed 000 "Bearbeitung von Anliegen/Vorgängen", steps 1–6): reporter,
// report, timeline, comment or internal note, status, "Zuständiger Mitarbeiter", reopen, the
// audit trail, its files, the print view and the PDF. Mounted at /verwaltung (staff); the
// Vorgang is found among the Verwaltung's (ticketScope): another's is a 404. The handover panel (documents,
// Dienstleister, merge) is src/features/tickets/handover.ts and handover-routes.ts.

const FILE_FIELD = 'files';
/** What the page shows of a Vorgang's relations: those ticketScope loads (src/scopes/staff.ts). */
const POPULATE = ['property', 'unit', 'category', 'assignee', 'reporter', 'reporterContact', 'mergedInto'] as const;

/** After a conflict: the page with the now-current state, 409, and the message at the field. */
async function showConflict(req: Request, res: Response, ticketId: string, errorField: 'status' | 'assignee') {
  const current = await findByIdOr404(req.em, Ticket, ticketId, { populate: POPULATE, refresh: true });
  const message = `${req.t('tickets:errors.conflict')} ${req.t('tickets-detail:conflictNow', { status: req.t(`tickets:status.${current.status}`), assignee: current.assignee?.name ?? req.t('tickets-detail:assign.nobody') })}`;
  const state: DetailState = errorField === 'status' ? { statusErrors: { status: message } } : { assignErrors: { assignee: message } };
  return renderTicketPage(req, res, current, state, 409);
}

function afterChange(req: Request, res: Response, ticket: Ticket, result: ChangeResult, errorField: 'status' | 'assignee') {
  if (result === 'conflict') return showConflict(req, res, ticket.id, errorField);
  res.redirect(303, ticketPath(ticket));
}

export function detailRoutes() {
  const router = Router();

  router.get(
    '/vorgaenge/:ticketId',
    scoped(ticketScope, (req, res, { ticket }) => renderTicketPage(req, res, ticket)),
  );

  // "Kommentar": public (the reporter and followers are mailed) or an internal note (nobody is).
  router.post(
    '/vorgaenge/:ticketId/kommentare',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const received = await receiveUploads(req, res, req.storage, FILE_FIELD, PHOTO_AND_PDF_UPLOADS);
      const comment = { body: textareaField(req.body?.body), internal: field(req.body?.visibility) === 'internal' };
      const errors: FieldErrors = {};
      const problem = commentProblem(comment.body);
      if (problem) errors.body = problem;
      const files = await ticketFilesOrDiscard(req.storage, received, errors, 'files');
      if (Object.keys(errors).length > 0) return renderTicketPage(req, res, ticket, { comment, commentErrors: errors }, 422);
      const entry = await addComment(
        req.em,
        req.storage,
        ticket,
        { staff },
        { ...comment, files, now: req.deps.clock.now(), baseUrl: req.deps.config.baseUrl },
      );
      res.redirect(303, `${ticketPath(ticket)}#entry-${entry.id}`);
    }),
  );

  // "Status ändern": the reporter is told even without a comment (seed 000, step 3).
  router.post(
    '/vorgaenge/:ticketId/status',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const status = field(req.body?.status);
      if (!isTicketStatus(status)) return renderTicketPage(req, res, ticket, { status, statusErrors: { status: 'tickets:errors.statusUnknown' } }, 422);
      const version = submittedVersion(req.body?.version);
      if (version === null) return showConflict(req, res, ticket.id, 'status');
      const result = await changeStatus(req.em, ticket, staff, status, version, req.deps.clock.now(), req.deps.config.baseUrl);
      return afterChange(req, res, ticket, result, 'status');
    }),
  );

  // "Zuständiger Mitarbeiter" (seed 000, step 4); "Mir zuweisen" sends `self`.
  router.post(
    '/vorgaenge/:ticketId/zustaendig',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const chosen = field(req.body?.self) ? staff.id : field(req.body?.assignee);
      let assignee: StaffUser | null = null;
      if (chosen) {
        assignee = isUuid(chosen) ? await req.em.findOne(StaffUser, { id: chosen, ...canLogIn }) : null;
        if (!assignee) return renderTicketPage(req, res, ticket, { assignee: chosen, assignErrors: { assignee: 'tickets:errors.assigneeUnknown' } }, 422);
      }
      const version = submittedVersion(req.body?.version);
      if (version === null) return showConflict(req, res, ticket.id, 'assignee');
      const result = await assignTicket(req.em, ticket, staff, assignee, version, req.deps.clock.now());
      return afterChange(req, res, ticket, result, 'assignee');
    }),
  );

  // "Vorgang erneut öffnen" (seed 000, step 6): one of two at once reopens it; both land on the page.
  router.post(
    '/vorgaenge/:ticketId/erneut-oeffnen',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      await reopenTicket(req.em, ticket, { staff }, req.deps.clock.now(), req.deps.config.baseUrl);
      res.redirect(303, ticketPath(ticket));
    }),
  );

  router.get(
    '/vorgaenge/:ticketId/anhaenge/:attachmentId',
    scoped(ticketAttachmentScope, async (req, res, { attachment }) => {
      await sendTicketFile(res, req.storage, attachment, 'full');
    }),
  );

  router.get(
    '/vorgaenge/:ticketId/anhaenge/:attachmentId/vorschau',
    scoped(ticketAttachmentScope, async (req, res, { attachment }) => {
      await sendTicketFile(res, req.storage, attachment, 'thumbnail');
    }),
  );

  // "Drucken" (seed 000, step 5): the whole communication, internal notes marked.
  router.get(
    '/vorgaenge/:ticketId/drucken',
    scoped(ticketScope, async (req, res, { ticket }) => {
      render(req, res, 'tickets/print', ticketView(req, ticket, await visibleTimeline(req.em, ticket, STAFF_VIEWER)));
    }),
  );

  // "Als PDF speichern" (seed 000, step 5).
  router.get(
    '/vorgaenge/:ticketId/pdf',
    scoped(ticketScope, async (req, res, { ticket }) => {
      sendTicketPdf(
        res,
        ticket,
        await ticketPdf(req.em, ticket, { viewer: STAFF_VIEWER, t: req.t, storage: req.storage, pdf: req.pdfWorkers, now: req.deps.clock.now() }),
        'staff',
      );
    }),
  );

  return router;
}
