import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import {
  Contact,
  contactDisplayName,
  CLOSED_ORDER_STATUSES,
  type PortalUser,
  Property,
  ServiceOrder,
  ServiceOrderEntry,
  ServiceOrderFile,
  type ServiceProvider,
  ServiceProviderMember,
  type Ticket,
  TicketCategory,
  Unit,
  ticketReference,
  type OrderStatus,
} from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import type { PortalRole, PropertyAccess } from '../access/service.ts';

/**
 * The one rule of what a Dienstleister sees (issue 23). A provider login (a portal user
 * linked to a Dienstleister, ServiceProviderMember) holds the role `service_provider` in
 * every property its Dienstleister serves (src/features/access/service.ts reads the
 * assignment), and there it sees ONLY:
 * - documents shared with the group Dienstleister (never shares with the whole property),
 * - the property's Ansprechpartner,
 * - the Aufträge of its own Dienstleister in that property.
 * General content (Mitteilungen, Termine, Schwarzes Brett, FAQ, Vorgänge of residents, ...)
 * does not reach the role: the portal's property pages answer 404 to a login that holds only
 * this role there (src/scopes/portal.ts). Of an Auftrag the provider sees the Vorgang's
 * number, title, place, Thema and description, the order's own entries and files; never an
 * internal note, and the reporter only when staff ticked "Kontaktdaten des Melders mitsenden".
 * The signed link of a forwarding mail (./links.ts) shows the same, for one order, while it is open.
 */
export const PROVIDER_ROLE = 'service_provider' satisfies PortalRole;

/** Whether these active roles reach a property's general content: any role but the Dienstleister's. */
export function reachesGeneralContent(activeRoles: readonly PortalRole[]): boolean {
  return activeRoles.some((role) => role !== PROVIDER_ROLE);
}

/** `reachesGeneralContent` in SQL, over an array column of active roles (set-based readers such as documents/visibility.ts). */
export function reachesGeneralContentSql(activeRoles: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`cardinality(array_remove(${activeRoles}, ${PROVIDER_ROLE}::text)) > 0`;
}

/** The property is open to this user only as Dienstleister: its portal pages are not for them. */
export function providerOnly(access: PropertyAccess): boolean {
  return access.roles.length > 0 && access.roles.every((role) => role === PROVIDER_ROLE) && access.contactIds.length === 0;
}

/** A document of a served property on the provider login's pages (./portal-routes.ts). */
export function providerDocumentPath(propertyId: string, documentId: string): string {
  return `/portal/auftraege/liegenschaften/${encodeURIComponent(propertyId)}/dokumente/${encodeURIComponent(documentId)}`;
}

/** The Dienstleister a login works for (one per login), when its link is active and the Dienstleister not archived. */
export async function providerOfUser(em: Em, user: PortalUser): Promise<ServiceProvider | null> {
  const member = await em.findOne(
    ServiceProviderMember,
    { portalUser: user.id, endedAt: null, provider: { archivedAt: null } },
    { populate: ['provider'], orderBy: { createdAt: 'asc' } },
  );
  return member?.provider ?? null;
}

/** The properties a Dienstleister serves (not archived), by name. */
export function servedProperties(em: Em, provider: ServiceProvider): Promise<Property[]> {
  return em.find(Property, { archivedAt: null, id: { $in: servedIds(provider) } }, { orderBy: { name: 'asc' } });
}

/** Ids of the served properties; the collection is loaded by the caller's scope. */
function servedIds(provider: ServiceProvider): string[] {
  return provider.properties.isInitialized() ? provider.properties.getItems().map((p) => p.id) : [];
}

/** A property the Dienstleister serves, or null. */
export async function servedProperty(em: Em, provider: ServiceProvider, propertyId: string): Promise<Property | null> {
  if (!isUuid(propertyId) || !servedIds(provider).includes(propertyId)) return null;
  return em.findOne(Property, { id: propertyId, archivedAt: null });
}

/** The Aufträge a provider login sees: its Dienstleister's, in properties it serves; open ones first. */
export async function providerOrders(em: Em, provider: ServiceProvider): Promise<ServiceOrder[]> {
  const orders = await em.find(
    ServiceOrder,
    { provider: provider.id, property: { $in: servedIds(provider) } },
    { populate: ['ticket', 'property'], orderBy: { createdAt: 'desc', id: 'asc' } },
  );
  return orders.sort((a, b) => Number(isClosed(a.status)) - Number(isClosed(b.status)));
}

/** One Auftrag of the Dienstleister in a property it serves, or null. */
export function providerOrder(em: Em, provider: ServiceProvider, orderId: string): Promise<ServiceOrder | null> {
  if (!isUuid(orderId)) return Promise.resolve(null);
  return em.findOne(
    ServiceOrder,
    { id: orderId, provider: provider.id, property: { $in: servedIds(provider) } },
    { populate: ['ticket', 'property', 'provider'] },
  );
}

/** A file of an order the provider sees. */
export function orderFile(em: Em, order: ServiceOrder, fileId: string): Promise<ServiceOrderFile | null> {
  return isUuid(fileId) ? em.findOne(ServiceOrderFile, { id: fileId, order: order.id }) : Promise.resolve(null);
}

export const isClosed = (status: OrderStatus) => CLOSED_ORDER_STATUSES.includes(status);

/**
 * Whether the signed link of a forwarding mail still works: for the latest forward of an open
 * order whose Vorgang is still open. Closing or merging the Vorgang ends it, as does the
 * provider closing the order or staff forwarding again (a new link version).
 */
export function orderLinkUsable(
  order: Pick<ServiceOrder, 'status' | 'linkVersion'> & { ticket: Pick<Ticket, 'status' | 'mergedInto'> },
  version: number,
): boolean {
  return order.linkVersion === version && !isClosed(order.status) && order.ticket.status !== 'done' && !order.ticket.mergedInto;
}

/**
 * What the provider (login or signed link) sees of an order: the Vorgang without internal
 * notes or residents' comments, the reporter only when staff chose so, the order's entries and files.
 */
export async function orderView(em: Em, order: ServiceOrder) {
  const ticket = order.ticket;
  const [category, unit, entries, files, reporterContact] = await Promise.all([
    em.findOneOrFail(TicketCategory, ticket.category.id, { fields: ['name'] }),
    ticket.unit ? em.findOneOrFail(Unit, ticket.unit.id, { fields: ['number'] }) : null,
    em.find(ServiceOrderEntry, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    em.find(ServiceOrderFile, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
    order.includeContact && ticket.reporterContact ? em.findOne(Contact, ticket.reporterContact.id) : null,
  ]);
  const property = await em.findOneOrFail(Property, order.property.id, { fields: ['name'] });
  const reporter = order.includeContact
    ? {
        name: reporterContact ? contactDisplayName(reporterContact) || ticket.reporterName : ticket.reporterName,
        email: reporterContact?.email ?? null,
        phone: reporterContact?.phone ?? null,
      }
    : null;
  return {
    order,
    reference: ticketReference(ticket),
    title: ticket.title,
    description: ticket.description,
    unitNumber: unit?.number ?? null,
    commonArea: ticket.commonArea ?? null,
    categoryName: category.name,
    property,
    reporter,
    entries,
    files,
    closed: isClosed(order.status),
  };
}
export type OrderView = Awaited<ReturnType<typeof orderView>>;
