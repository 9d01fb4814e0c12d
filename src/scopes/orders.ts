import { scopeToOrganization } from '../db/tenant.ts';
import { Property, ServiceOrder, ServiceOrderFile, ServiceProvider, ServiceProviderMember, type PortalUser } from '../entities/index.ts';
import { HttpError, NotFoundError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import type { PropertyAccess } from '../features/access/service.ts';
import { visibleDocument } from '../features/documents/visibility.ts';
import { orderFile, orderLinkUsable, PROVIDER_ROLE, providerOfUser, providerOrder, servedProperty } from '../features/orders/access.ts';
import { readOrderToken } from '../features/orders/links.ts';
import { residentScope } from './portal.ts';
import { publicScope, within } from './scope.ts';
import { findInScope, propertyScope, serviceProviderScope, ticketScope } from './staff.ts';

// Aufträge (issue 23). What a provider login may see is the rule of src/features/orders/access.ts;
// these scopes load each record through it (a provider's own Dienstleister, the properties it
// serves), and the console's through the staff member's Verwaltung. Out of scope is a 404.

/** The Dienstleister of the logged-in portal user (with the properties it serves), or a 404. */
export const providerScope = within(residentScope, 'provider', async ({ user }, req) => {
  const provider = await providerOfUser(req.em, user);
  if (!provider) throw new NotFoundError(`portal user ${user.id} is no Dienstleister`);
  await provider.properties.init({ where: { archivedAt: null } });
  return { provider };
});

/** An Auftrag of the login's Dienstleister in a property it serves. */
export const providerOrderScope = within(providerScope, 'order', async ({ provider }, req) => {
  const order = await providerOrder(req.em, provider, String(req.params.orderId));
  if (!order) throw new NotFoundError(`order ${req.params.orderId} not of provider ${provider.id}`);
  return { order };
});

export const providerOrderFileScope = within(providerOrderScope, 'file', async ({ order }, req) => {
  const file = await orderFile(req.em, order, String(req.params.fileId));
  if (!file) throw new NotFoundError(`file ${req.params.fileId} not of order ${order.id}`);
  return { file };
});

/** What a provider login holds in a property it serves: the Dienstleister's role only. */
function providerAccess(property: Property): PropertyAccess {
  return {
    property,
    roles: [PROVIDER_ROLE],
    shownRoles: [PROVIDER_ROLE],
    commercialContactIds: [],
    activeRoles: [PROVIDER_ROLE],
    seesGeneralContent: false,
    contactIds: [],
    unitIds: [],
    addressIds: [],
  };
}

/** A property the login's Dienstleister serves. */
export const providerPropertyScope = within(providerScope, 'property', async ({ provider }, req) => {
  const property = await servedProperty(req.em, provider, String(req.params.propertyId));
  if (!property) throw new NotFoundError(`property ${req.params.propertyId} not served by ${provider.id}`);
  return { property, access: providerAccess(property) };
});

/** A document of a served property shared with the group Dienstleister (the document rule with the role alone). */
export const providerDocumentScope = within(providerPropertyScope, 'document', async ({ user, access }, req) => {
  const documentId = String(req.params.documentId);
  const document = isUuid(documentId) ? await visibleDocument(req.em, { user: user as PortalUser, access }, documentId) : null;
  if (!document) throw new NotFoundError(`document ${documentId} not shared with Dienstleister`);
  return { document };
});

/**
 * The Auftrag of a signed link (src/features/orders/links.ts): anything altered is a 404; a
 * link no longer usable (an older forward, a closed order or Vorgang: orderLinkUsable) is a 410. Scopes the request to its Verwaltung.
 */
export const orderLinkScope = within(publicScope, 'order link', async (_scope, req) => {
  const token = readOrderToken(String(req.params.token));
  if (!token) throw new NotFoundError('order link with a wrong signature');
  const order = await req.em.findOne(ServiceOrder, { id: token.orderId }, { filters: { tenant: false }, populate: ['ticket', 'property', 'provider'] });
  if (!order) throw new NotFoundError(`order ${token.orderId} gone`);
  if (!orderLinkUsable(order, token.version)) throw new HttpError(410, 'orders:link.gone', `order link ${order.id} no longer valid`);
  scopeToOrganization(req.em, order.organization.id);
  return { order, token: String(req.params.token) };
});

// The console.

/** An Auftrag of the URL's Vorgang. */
export const ticketOrderScope = within(ticketScope, 'order', async ({ ticket }, req) => ({
  order: await findInScope(req, ServiceOrder, 'orderId', { ticket: ticket.id }, { populate: ['provider', 'ticket'] }),
}));

export const ticketOrderFileScope = within(ticketOrderScope, 'file', async ({ order }, req) => ({
  file: await findInScope(req, ServiceOrderFile, 'fileId', { order: order.id }),
}));

/** A login of the URL's Dienstleister. */
export const providerMemberScope = within(serviceProviderScope, 'member', async ({ provider }, req) => ({
  member: await findInScope(req, ServiceProviderMember, 'memberId', { provider: provider.id, endedAt: null }, { populate: ['portalUser', 'provider'] }),
}));

/** The URL's property seen from its Dienstleister's page (assigning it). */
export const providerAssignmentScope = within(serviceProviderScope, 'property', async ({ organizationId }, req) => ({
  property: await findInScope(req, Property, 'propertyId', { organization: organizationId }),
}));

/** The URL's Dienstleister seen from its property's page (assigning it). */
export const propertyProviderScope = within(propertyScope, 'provider', async ({ organizationId }, req) => ({
  provider: await findInScope(req, ServiceProvider, 'serviceProviderId', { organization: organizationId }),
}));
