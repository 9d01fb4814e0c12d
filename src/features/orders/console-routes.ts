import { Router, type Request, type Response } from 'express';
import { type Property, type ServiceProvider, ServiceProvider as ProviderEntity, Property as PropertyEntity } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, textareaField, type FieldErrors } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { propertyProviderScope, providerAssignmentScope, providerMemberScope, ticketOrderFileScope, ticketOrderScope } from '../../scopes/orders.ts';
import { scoped } from '../../scopes/scope.ts';
import { propertyScope, serviceProviderScope } from '../../scopes/staff.ts';
import { providerLocked } from '../service-providers/service.ts';
import { sendTicketFile } from '../tickets/files.ts';
import { renderTicketPage, ticketPath } from '../tickets/detail-page.ts';
import { endProviderMember, inviteProviderPerson } from './members.ts';
import { commentOnOrder, copyIntoTicket, setAssignment, shareAppointment } from './service.ts';
import { providerPagePanel } from './panels.ts';

// Console: Aufträge on a Vorgang's page (views/orders/_ticket-orders.eta), which Dienstleister
// serves which property (on the property's Kontakte tab and on the Dienstleister's page) and
// the Dienstleister's logins. Mounted at /verwaltung (staff); everything is found through the
// staff member's Verwaltung (src/scopes/orders.ts).

const PROVIDERS = '/verwaltung/dienstleister';

/** The ERP owns a synced Dienstleister's assignment (src/features/masterdata): the console leaves it alone. */
function assignmentLocked(provider: ServiceProvider): boolean {
  return providerLocked(provider).has('properties');
}

/** The Dienstleister's page with the provider panel, after a failed form (422). */
async function showProviderPage(req: Request, res: Response, provider: ServiceProvider, panelState: Record<string, unknown>, status: number) {
  const panel = await providerPagePanel(req.em, provider, req.deps.clock.now());
  render(req, res, 'service-providers/show', { title: provider.name, provider, notice: null, orders: { ...panel, ...panelState } }, status);
}

export function consoleRoutes() {
  const router = Router();

  // Aufträge of a Vorgang: staff comment, share the appointment, copy a comment into the Vorgang.
  router.post(
    '/vorgaenge/:ticketId/auftraege/:orderId/kommentare',
    scoped(ticketOrderScope, async (req, res, { staff, ticket, order }) => {
      const body = textareaField(req.body?.body);
      const errors = await commentOnOrder(req.em, order, { staff }, body, req.deps.clock.now());
      if (Object.keys(errors).length > 0) {
        return renderTicketPage(req, res, ticket, { orderForm: { orderId: order.id, body, errors: fieldMessages(req.t, errors) } }, 422);
      }
      res.redirect(303, `${ticketPath(ticket)}#order-${order.id}`);
    }),
  );

  router.post(
    '/vorgaenge/:ticketId/auftraege/:orderId/termin-teilen',
    scoped(ticketOrderScope, async (req, res, { staff, ticket, order }) => {
      await shareAppointment(req.em, staff, order, field(req.body?.share) === '1', req.deps.clock.now());
      res.redirect(303, `${ticketPath(ticket)}#auftraege`);
    }),
  );

  router.post(
    '/vorgaenge/:ticketId/auftraege/:orderId/eintraege/:entryId/uebernehmen',
    scoped(ticketOrderScope, async (req, res, { staff, ticket, order }) => {
      if (!(await copyIntoTicket(req.em, staff, order, String(req.params.entryId), req.deps.clock.now()))) {
        throw new NotFoundError(`entry ${req.params.entryId} not to copy`);
      }
      res.redirect(303, `${ticketPath(ticket)}#auftraege`);
    }),
  );

  router.get(
    '/vorgaenge/:ticketId/auftraege/:orderId/dateien/:fileId',
    scoped(ticketOrderFileScope, (req, res, { file }) => sendTicketFile(res, req.storage, file as never, 'full')),
  );

  // Which Dienstleister serves the property: from the property's Kontakte tab ...
  router.post(
    '/liegenschaften/:propertyId/dienstleister',
    scoped(propertyScope, async (req, res, { staff, property, organizationId }) => {
      const providerId = field(req.body?.provider);
      const provider = isUuid(providerId) ? await req.em.findOne(ProviderEntity, { id: providerId, organization: organizationId, archivedAt: null }) : null;
      if (!provider || assignmentLocked(provider)) {
        return res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte?dienstleister=${provider ? 'erp' : 'fehlt'}#dienstleister`);
      }
      await setAssignment(req.em, staff, provider, property, true, req.deps.clock.now());
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte#dienstleister`);
    }),
  );

  router.post(
    '/liegenschaften/:propertyId/dienstleister/:serviceProviderId/entfernen',
    scoped(propertyProviderScope, async (req, res, { staff, property, provider }) => {
      if (assignmentLocked(provider)) return res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte?dienstleister=erp#dienstleister`);
      await setAssignment(req.em, staff, provider, property, false, req.deps.clock.now());
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/kontakte#dienstleister`);
    }),
  );

  // ... and from the Dienstleister's page.
  router.post(
    '/dienstleister/:serviceProviderId/liegenschaften',
    scoped(serviceProviderScope, async (req, res, { staff, provider, organizationId }) => {
      const propertyId = field(req.body?.property);
      const property = isUuid(propertyId) ? await req.em.findOne(PropertyEntity, { id: propertyId, organization: organizationId, archivedAt: null }) : null;
      const errors: FieldErrors = {};
      if (!property) errors.property = 'orders:errors.property';
      if (assignmentLocked(provider)) errors.property = 'orders:errors.erpOwned';
      if (!property || errors.property)
        return showProviderPage(req, res, provider, { assignErrors: fieldMessages(req.t, errors), assignValue: propertyId }, 422);
      await setAssignment(req.em, staff, provider, property as Property, true, req.deps.clock.now());
      res.redirect(303, `${PROVIDERS}/${provider.id}#liegenschaften`);
    }),
  );

  router.post(
    '/dienstleister/:serviceProviderId/liegenschaften/:propertyId/entfernen',
    scoped(providerAssignmentScope, async (req, res, { staff, provider, property }) => {
      if (assignmentLocked(provider)) {
        return showProviderPage(req, res, provider, { assignErrors: fieldMessages(req.t, { property: 'orders:errors.erpOwned' }) }, 422);
      }
      await setAssignment(req.em, staff, provider, property, false, req.deps.clock.now());
      res.redirect(303, `${PROVIDERS}/${provider.id}#liegenschaften`);
    }),
  );

  // The Dienstleister's people: invite by e-mail, end a login's access.
  router.post(
    '/dienstleister/:serviceProviderId/einladungen',
    scoped(serviceProviderScope, async (req, res, { staff, provider }) => {
      const input = { name: field(req.body?.name), email: field(req.body?.email) };
      const errors = await inviteProviderPerson(req.em, staff, provider, input, req.deps.config.baseUrl, req.deps.clock.now());
      if (Object.keys(errors).length > 0) return showProviderPage(req, res, provider, { invite: input, inviteErrors: fieldMessages(req.t, errors) }, 422);
      res.redirect(303, `${PROVIDERS}/${provider.id}?eingeladen=${encodeURIComponent(input.email.trim().toLowerCase())}#zugaenge`);
    }),
  );

  router.post(
    '/dienstleister/:serviceProviderId/zugaenge/:memberId/beenden',
    scoped(providerMemberScope, async (req, res, { staff, provider, member }) => {
      await endProviderMember(req.em, staff, member, req.deps.clock.now());
      res.redirect(303, `${PROVIDERS}/${provider.id}#zugaenge`);
    }),
  );

  return router;
}
