import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { ServiceProvider } from './service-provider.ts';
import { StaffUser } from './staff-user.ts';
import { Ticket } from './ticket.ts';

/**
 * Aufträge (issue 23): a Vorgang forwarded to a Dienstleister. What a provider login, a
 * provider's signed link and staff may see of it is decided in one place:
 * src/features/orders/access.ts. Nothing here ever reaches residents, except the appointment
 * when staff share it (`shareAppointment`).
 */

/** Neu → Angenommen → Termin vereinbart → Erledigt; or Abgelehnt (with a reason). */
export const ORDER_STATUSES = ['new', 'accepted', 'scheduled', 'done', 'declined'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Closed: the signed link stops working, the order leaves the open list. */
export const CLOSED_ORDER_STATUSES: readonly OrderStatus[] = ['done', 'declined'];

export const ServiceOrder = defineEntity({
  name: 'ServiceOrder',
  tableName: 'service_order',
  uniques: [{ properties: ['ticket', 'provider'] }],
  indexes: [{ properties: ['provider', 'status'] }, { properties: ['organization', 'status'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    provider: () => p.manyToOne(ServiceProvider),
    /** The ticket's property, kept here so a provider's orders are found by the properties it serves. */
    property: () => p.manyToOne(Property),
    status: p.enum(ORDER_STATUSES).default('new'),
    /** "Termin vereinbart": the day and time agreed with the provider. */
    appointmentAt: p.datetime().nullable(),
    declineReason: p.string().length(1000).default(''),
    /** "Kontaktdaten des Melders mitsenden" at the last forward: only then the provider sees the reporter. */
    includeContact: p.boolean().default(false),
    /** Staff chose to show the appointment to the ticket's residents ("Termin mit Handwerker am …"). */
    shareAppointment: p.boolean().default(false),
    /** Grows with every forward: the signed link of an older mail stops working. */
    linkVersion: p.integer().default(1),
    /** Who forwarded it last: the staff member the provider's steps are mailed to. */
    forwardedBy: () => p.manyToOne(StaffUser).nullable().deleteRule('set null'),
    closedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type ServiceOrder = InferEntity<typeof ServiceOrder>;

/**
 * What happened on an order: a status step or a comment between staff and provider. Never
 * shown to residents; staff may copy a comment into the Vorgang ("In Vorgang übernehmen").
 */
export const ORDER_ENTRY_KINDS = ['forwarded', 'status', 'comment'] as const;
export type OrderEntryKind = (typeof ORDER_ENTRY_KINDS)[number];
/** Who wrote it: staff, a provider login, or the provider through the mail's signed link. */
export const ORDER_AUTHORS = ['staff', 'provider', 'link'] as const;

export const ServiceOrderEntry = defineEntity({
  name: 'ServiceOrderEntry',
  tableName: 'service_order_entry',
  indexes: [{ properties: ['order', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    order: () => p.manyToOne(ServiceOrder).deleteRule('cascade'),
    kind: p.enum(ORDER_ENTRY_KINDS),
    authorType: p.enum(ORDER_AUTHORS),
    authorStaff: () => p.manyToOne(StaffUser).nullable().deleteRule('set null'),
    authorPortalUser: () => p.manyToOne(PortalUser).nullable().deleteRule('set null'),
    authorName: p.string().length(200),
    body: p.text().default(''),
    data: p.json<Record<string, unknown>>().nullable(),
    /** Set when staff copied this comment into the Vorgang as a public comment. */
    copiedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
});
export type ServiceOrderEntry = InferEntity<typeof ServiceOrderEntry>;

/** A photo or PDF the provider uploaded (a report, an invoice); content-sniffed like ticket files. */
export const ServiceOrderFile = defineEntity({
  name: 'ServiceOrderFile',
  tableName: 'service_order_file',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    order: () => p.manyToOne(ServiceOrder).deleteRule('cascade').index(),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.integer(),
    storageKey: p.string().length(64),
    thumbKey: p.string().length(64).nullable(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    uploadedBy: () => p.manyToOne(PortalUser).nullable().deleteRule('set null'),
    createdAt: createdAt(),
  },
});
export type ServiceOrderFile = InferEntity<typeof ServiceOrderFile>;

/**
 * A login of a Dienstleister's people: invited by staff from the Dienstleister's page. It sees
 * the properties its Dienstleister serves, as src/features/orders/access.ts allows.
 */
export const ServiceProviderMember = defineEntity({
  name: 'ServiceProviderMember',
  tableName: 'service_provider_member',
  uniques: [{ properties: ['portalUser', 'provider'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    portalUser: () => p.manyToOne(PortalUser).index(),
    provider: () => p.manyToOne(ServiceProvider).index(),
    endedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type ServiceProviderMember = InferEntity<typeof ServiceProviderMember>;
