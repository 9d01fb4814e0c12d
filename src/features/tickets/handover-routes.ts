import { Router, type Request, type Response } from 'express';
import type { Ticket } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { scoped } from '../../scopes/scope.ts';
import { ticketScope } from '../../scopes/staff.ts';
import { renderTicketPage, ticketPath } from './detail-page.ts';
import { forwardForm, forwardTicket, linkDocument, mergeTicket, unlinkDocument, type ForwardForm } from './handover.ts';

// Console: the handover panel of a Vorgang (views/tickets/_handover.eta): link documents,
// forward to a Dienstleister, merge a duplicate. Mounted at /verwaltung (staff); the ticket
// is found among the Verwaltung's (ticketScope: another Verwaltung's is a 404). Success goes back to the
// detail page (303, with a notice); a problem shows the detail page again (422) with the
// panel's form as typed and the message at its field.

/** The panel's form state after a failed submit (merged over handoverPanel() by the detail page). */
type PanelState = { documentValue?: string; forward?: ForwardForm; mergeValue?: string };

function showPanelErrors(req: Request, res: Response, ticket: Ticket, state: PanelState, errors: FieldErrors) {
  return renderTicketPage(req, res, ticket, { panel: { ...state, handoverErrors: fieldMessages(req.t, errors) } }, 422);
}

/** Back to the detail page's panel, with what happened ("?uebergabe=..." is read by _handover.eta). */
const backToPanel = (res: Response, ticket: Ticket, done: string) => res.redirect(303, `${ticketPath(ticket)}?uebergabe=${done}#handover`);

export function handoverRoutes() {
  const router = Router();

  // "Dokument verknüpfen": a published document of the ticket's property.
  router.post(
    '/vorgaenge/:ticketId/dokumente',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const documentId = field(req.body?.document);
      const { error } = await linkDocument(req.em, ticket, staff, documentId, req.deps.clock.now());
      if (error) return showPanelErrors(req, res, ticket, { documentValue: documentId }, { document: error });
      backToPanel(res, ticket, 'dokument');
    }),
  );

  router.post(
    '/vorgaenge/:ticketId/dokumente/:documentId/entfernen',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      if (!(await unlinkDocument(req.em, ticket, staff, field(req.params.documentId), req.deps.clock.now()))) {
        throw new NotFoundError(`document ${req.params.documentId} not linked to ticket ${ticket.id}`);
      }
      backToPanel(res, ticket, 'dokument-entfernt');
    }),
  );

  // "An Dienstleister weiterleiten": one mail with the description and the photos.
  router.post(
    '/vorgaenge/:ticketId/weiterleiten',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const form = forwardForm(req.body);
      const { errors } = await forwardTicket(req.em, ticket, staff, form, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showPanelErrors(req, res, ticket, { forward: form }, errors);
      backToPanel(res, ticket, 'weitergeleitet');
    }),
  );

  // "Duplikat zusammenführen": this ticket (the duplicate) into the one numbered in the form.
  router.post(
    '/vorgaenge/:ticketId/zusammenfuehren',
    scoped(ticketScope, async (req, res, { staff, ticket }) => {
      const target = field(req.body?.target).trim().slice(0, 50);
      const result = await mergeTicket(req.em, ticket, staff, target, req.deps.clock.now(), req.deps.config.baseUrl);
      if (result.error) return showPanelErrors(req, res, ticket, { mergeValue: target }, { target: result.error });
      backToPanel(res, ticket, 'zusammengefuehrt');
    }),
  );

  return router;
}
