import type { Em } from '../../db/orm.ts';
import {
  CLOSED_ORDER_STATUSES,
  type PortalUser,
  Property,
  ServiceOrder,
  ServiceOrderEntry,
  ServiceOrderFile,
  ServiceProvider,
  ServiceProviderMember,
  StaffUser,
  Ticket,
  ticketReference,
  type OrderStatus,
  Organization,
} from '../../entities/index.ts';
import { field, textareaField, type FieldErrors } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { dateTimeFormat } from '../../intl.ts';
import type { FileStorage } from '../../storage/files.ts';
import { berlinDateTime, isValidDate, isValidTime } from '../appointments/time.ts';
import { auditStaffAction } from '../audit/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { configuredBaseUrl } from '../notifications/links.ts';
import type { PreparedFile } from '../tickets/photos.ts';
import { notifyResidents } from '../tickets/notify.ts';
import { newEntry, storedFileColumns, storeFilesThenWrite } from '../tickets/service.ts';
import { isClosed } from './access.ts';
import { orderLink } from './links.ts';

/** Longest comment, reason or message on an order. */
export const ORDER_TEXT_MAX = 5_000;
const REASON_MAX = 1_000;

// ---------------------------------------------------------------------------------------
// Which Dienstleister serves which property

/** The Dienstleister of the Verwaltung that can be assigned (not archived), by name. */
export function assignableProviders(em: Em) {
  return em.find(ServiceProvider, { archivedAt: null }, { orderBy: { name: 'asc' } });
}

/** The Dienstleister assigned to a property, by name. */
export function providersOfProperty(em: Em, property: Property) {
  return em.find(ServiceProvider, { properties: property.id }, { orderBy: { name: 'asc' } });
}

/**
 * Assigns (or, with `assigned` false, removes) a Dienstleister to a property, audited. False
 * when nothing changed. The caller checks that the ERP does not own the assignment.
 */
export async function setAssignment(em: Em, staff: StaffUser, provider: ServiceProvider, property: Property, assigned: boolean, now: Date): Promise<boolean> {
  await provider.properties.init();
  if (provider.properties.contains(property) === assigned) return false;
  if (assigned) provider.properties.add(property);
  else provider.properties.remove(property);
  auditStaffAction(
    em,
    staff,
    assigned ? 'service_provider.assigned' : 'service_provider.unassigned',
    { type: 'service_provider', id: provider.id },
    { propertyId: property.id },
    now,
  );
  await em.flush();
  return true;
}

// ---------------------------------------------------------------------------------------
// Forwarding makes an Auftrag

/**
 * The Auftrag of a forward (src/features/tickets/handover.ts forwardTicket), in its
 * transaction: one per Vorgang and Dienstleister. Forwarding again opens it anew (status
 * neu) with a new link version, so the older mail's link stops working.
 */
export async function orderForForward(
  tx: Em,
  input: { ticket: Ticket; provider: ServiceProvider; staff: StaffUser; includeContact: boolean; message: string; now: Date },
): Promise<ServiceOrder> {
  const { ticket, provider, staff, now } = input;
  let order = await tx.findOne(ServiceOrder, { ticket: ticket.id, provider: provider.id });
  if (order) {
    order.linkVersion += 1;
    order.status = 'new';
    order.closedAt = null;
    order.appointmentAt = null;
    order.declineReason = '';
  } else {
    order = tx.create(ServiceOrder, {
      organization: ticket.organization,
      ticket,
      provider,
      property: ticket.property,
      status: 'new',
      linkVersion: 1,
      createdAt: now,
      updatedAt: now,
    });
  }
  order.includeContact = input.includeContact;
  order.forwardedBy = staff;
  order.updatedAt = now;
  newOrderEntry(tx, order, { staff }, 'forwarded', now, { body: input.message });
  return order;
}

/** The link and the portal address a forwarding mail carries. */
export function forwardLinks(order: ServiceOrder) {
  const base = configuredBaseUrl();
  return { orderLink: orderLink(base, order), portalLink: `${base.replace(/\/$/, '')}/portal/auftraege/${order.id}` };
}

// ---------------------------------------------------------------------------------------
// Entries

/** Who acts on an order: staff, a provider login, or the provider through the signed link. */
export type OrderActor = { staff: StaffUser } | { portalUser: PortalUser } | { link: ServiceProvider };

function authorOf(actor: OrderActor) {
  if ('staff' in actor) return { authorType: 'staff' as const, authorStaff: actor.staff, authorPortalUser: null, authorName: actor.staff.name };
  if ('portalUser' in actor)
    return { authorType: 'provider' as const, authorStaff: null, authorPortalUser: actor.portalUser, authorName: actor.portalUser.name };
  return { authorType: 'link' as const, authorStaff: null, authorPortalUser: null, authorName: actor.link.name };
}

function newOrderEntry(
  tx: Em,
  order: ServiceOrder,
  actor: OrderActor,
  kind: ServiceOrderEntry['kind'],
  now: Date,
  fields: { body?: string; data?: Record<string, unknown> },
) {
  return tx.create(ServiceOrderEntry, {
    organization: order.organization,
    order,
    kind,
    ...authorOf(actor),
    body: fields.body ?? '',
    data: fields.data ?? null,
    createdAt: now,
  });
}

// ---------------------------------------------------------------------------------------
// The provider's steps

/** Where a provider may move an open order. */
export const PROVIDER_STEPS: readonly OrderStatus[] = ['accepted', 'scheduled', 'done', 'declined'];

export type StepForm = { status: string; date: string; time: string; reason: string; comment: string };

export function stepForm(body: Record<string, unknown> | undefined, order?: ServiceOrder): StepForm {
  return {
    status: field(body?.status) || (order ? nextStep(order.status) : ''),
    date: field(body?.date).trim(),
    time: field(body?.time).trim(),
    reason: textareaField(body?.reason),
    comment: textareaField(body?.comment),
  };
}

/** The step the form offers first: the one after the current. */
function nextStep(status: OrderStatus): string {
  return status === 'new' ? 'accepted' : status === 'accepted' ? 'scheduled' : 'done';
}

/**
 * The provider sets the order's status (with the date and time for "Termin vereinbart", the
 * reason for "Abgelehnt") and may add a comment; the forwarding staff member is mailed.
 * A closed order takes no step (the caller shows it closed). Field errors, nothing written, on bad input.
 */
export async function providerStep(em: Em, order: ServiceOrder, actor: OrderActor, form: StepForm, now: Date): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const status = PROVIDER_STEPS.find((s) => s === form.status);
  if (!status) errors.status = 'orders:errors.status';
  let appointmentAt: Date | null = null;
  if (status === 'scheduled') {
    if (!isValidDate(form.date)) errors.date = 'orders:errors.date';
    if (!isValidTime(form.time)) errors.time = 'orders:errors.time';
    if (!errors.date && !errors.time) appointmentAt = berlinDateTime(form.date, form.time);
  }
  if (status === 'declined' && !form.reason) errors.reason = 'orders:errors.reasonRequired';
  if (form.reason.length > REASON_MAX) errors.reason = 'orders:errors.tooLong';
  if (form.comment.length > ORDER_TEXT_MAX) errors.comment = 'orders:errors.tooLong';
  if (isClosed(order.status)) errors.status = 'orders:errors.closed';
  if (Object.keys(errors).length > 0 || !status) return errors;

  await em.transactional(async (tx) => {
    order.status = status;
    if (status === 'scheduled') order.appointmentAt = appointmentAt;
    if (status === 'declined') order.declineReason = form.reason;
    order.closedAt = isClosed(status) ? now : null;
    order.updatedAt = now;
    const data = { status, appointmentAt: appointmentAt?.toISOString() ?? null, reason: status === 'declined' ? form.reason : null };
    const entry = newOrderEntry(tx, order, actor, 'status', now, { body: form.comment, data });
    await mailStaff(tx, order, entry, now);
    await tx.flush();
  });
  return {};
}

/** A comment on the order by staff or the provider; the other side is mailed. */
export async function commentOnOrder(em: Em, order: ServiceOrder, actor: OrderActor, body: string, now: Date): Promise<FieldErrors> {
  if (!body) return { body: 'orders:errors.commentRequired' };
  if (body.length > ORDER_TEXT_MAX) return { body: 'orders:errors.tooLong' };
  // A closed order is the provider's no more; staff may still note something on it.
  if (!('staff' in actor) && isClosed(order.status)) return { body: 'orders:errors.closed' };
  await em.transactional(async (tx) => {
    const entry = newOrderEntry(tx, order, actor, 'comment', now, { body });
    order.updatedAt = now;
    if ('staff' in actor) {
      await mailProvider(tx, order, entry, now);
      auditStaffAction(tx, actor.staff, 'service_order.comment', { type: 'service_order', id: order.id }, { entryId: entry.id }, now);
    } else await mailStaff(tx, order, entry, now);
    await tx.flush();
  });
  return {};
}

/** Photos and PDFs the provider uploads (prepared and content-sniffed like ticket files), stored with a comment entry. */
export async function addOrderFiles(em: Em, storage: FileStorage, order: ServiceOrder, user: PortalUser, files: PreparedFile[], now: Date) {
  await storeFilesThenWrite(storage, files, (keys) =>
    em.transactional(async (tx) => {
      files.forEach((file, i) => {
        tx.create(ServiceOrderFile, { organization: order.organization, order, ...storedFileColumns(file, keys, i), uploadedBy: user, createdAt: now });
      });
      const entry = newOrderEntry(tx, order, { portalUser: user }, 'comment', now, { data: { files: files.map((f) => f.fileName) } });
      order.updatedAt = now;
      await mailStaff(tx, order, entry, now);
      await tx.flush();
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Staff

/**
 * "Termin den Bewohnern zeigen": the residents who see the Vorgang read "Termin mit
 * Handwerker am …" on it (src/features/tickets/portal-routes.ts asks sharedAppointments).
 */
export async function shareAppointment(em: Em, staff: StaffUser, order: ServiceOrder, share: boolean, now: Date) {
  order.shareAppointment = share;
  auditStaffAction(
    em,
    staff,
    share ? 'service_order.appointment_shared' : 'service_order.appointment_hidden',
    { type: 'service_order', id: order.id },
    null,
    now,
  );
  await em.flush();
}

/** The appointments of a Vorgang that staff shared with its residents: agreed and not declined. */
export async function sharedAppointments(em: Em, ticket: Ticket): Promise<Date[]> {
  const orders = await em.find(
    ServiceOrder,
    { ticket: ticket.id, shareAppointment: true, appointmentAt: { $ne: null }, status: { $in: ['scheduled', 'done'] } },
    { orderBy: { appointmentAt: 'asc' } },
  );
  return orders.map((o) => o.appointmentAt!);
}

/**
 * "In Vorgang übernehmen": staff copy a comment of the order into the Vorgang as a public
 * comment in their own name (residents see it and are mailed); once only.
 */
export async function copyIntoTicket(em: Em, staff: StaffUser, order: ServiceOrder, entryId: string, now: Date): Promise<boolean> {
  const entry = isUuid(entryId) ? await em.findOne(ServiceOrderEntry, { id: entryId, order: order.id, copiedAt: null, body: { $ne: '' } }) : null;
  if (!entry) return false;
  const ticket = await em.findOneOrFail(Ticket, order.ticket.id);
  await em.transactional(async (tx) => {
    entry.copiedAt = now;
    const copied = newEntry(tx, ticket, { staff }, 'comment', now, { body: entry.body });
    ticket.lastActivityAt = now;
    await tx.flush();
    await notifyResidents(tx, ticket, copied, configuredBaseUrl(), now, null);
    auditStaffAction(tx, staff, 'service_order.copied', { type: 'service_order', id: order.id }, { entryId: entry.id }, now);
    await tx.flush();
  });
  return true;
}

/** The Aufträge of a Vorgang with their entries and files, for the console's detail page. */
export async function ordersOfTicket(em: Em, ticket: Ticket) {
  const orders = await em.find(ServiceOrder, { ticket: ticket.id }, { populate: ['provider'], orderBy: { createdAt: 'asc' } });
  const ids = orders.map((o) => o.id);
  const [entries, files] = ids.length
    ? await Promise.all([
        em.find(ServiceOrderEntry, { order: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
        em.find(ServiceOrderFile, { order: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      ])
    : [[], []];
  return orders.map((order) => ({
    order,
    entries: entries.filter((e) => e.order.id === order.id),
    files: files.filter((f) => f.order.id === order.id),
  }));
}

/** The open Aufträge of a Dienstleister, oldest first, with their age in days. */
export async function openOrdersOf(em: Em, provider: ServiceProvider, now: Date) {
  const orders = await em.find(
    ServiceOrder,
    { provider: provider.id, status: { $nin: [...CLOSED_ORDER_STATUSES] } },
    { populate: ['ticket', 'property'], orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return orders.map((order) => ({
    order,
    reference: ticketReference(order.ticket),
    ageDays: Math.floor((now.getTime() - order.createdAt.getTime()) / 86_400_000),
  }));
}

/** The active logins of a Dienstleister. */
export function membersOf(em: Em, provider: ServiceProvider) {
  return em.find(ServiceProviderMember, { provider: provider.id, endedAt: null }, { populate: ['portalUser'], orderBy: { createdAt: 'asc' } });
}

// ---------------------------------------------------------------------------------------
// Mails

const appointmentFormat = dateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'full', timeStyle: 'short' });

/** "Montag, 14. Dezember 2026 um 09:30" (Berlin time). */
export function describeAppointment(at: Date): string {
  return appointmentFormat.format(at);
}

async function mailData(tx: Em, order: ServiceOrder, entry: ServiceOrderEntry) {
  const [ticket, provider, property] = await Promise.all([
    tx.findOneOrFail(Ticket, order.ticket.id, { fields: ['year', 'number', 'title'] }),
    tx.findOneOrFail(ServiceProvider, order.provider.id),
    tx.findOneOrFail(Property, order.property.id, { fields: ['name'] }),
  ]);
  const data = entry.data ?? {};
  return {
    provider,
    data: {
      reference: ticketReference(ticket),
      title: ticket.title,
      propertyName: property.name,
      providerName: provider.name,
      authorName: entry.authorName,
      kind: entry.kind,
      status: (data.status as string | undefined) ?? null,
      appointment: data.appointmentAt ? describeAppointment(new Date(String(data.appointmentAt))) : null,
      reason: (data.reason as string | null | undefined) ?? null,
      files: (data.files as string[] | undefined) ?? [],
      body: entry.body,
    },
  };
}

/** The provider's step reaches the staff member who forwarded the order (else the Vorgang's assignee). */
async function mailStaff(tx: Em, order: ServiceOrder, entry: ServiceOrderEntry, now: Date) {
  const ticket = await tx.findOneOrFail(Ticket, order.ticket.id, { fields: ['assignee', 'organization'] });
  const staffId = order.forwardedBy?.id ?? ticket.assignee?.id;
  const staff = staffId ? await tx.findOne(StaffUser, { id: staffId, disabledAt: null }) : null;
  if (!staff) return;
  const { data } = await mailData(tx, order, entry);
  const organization = await tx.findOneOrFail(Organization, order.organization.id);
  enqueueMail(
    tx,
    {
      organization,
      to: staff.email,
      template: 'order-update',
      locale: staff.locale,
      data: { ...data, audience: 'staff', link: `${configuredBaseUrl().replace(/\/$/, '')}/verwaltung/vorgaenge/${order.ticket.id}#auftraege` },
    },
    now,
  );
}

/** A staff comment reaches the Dienstleister's address and its logins (the link when it has none). */
async function mailProvider(tx: Em, order: ServiceOrder, entry: ServiceOrderEntry, now: Date) {
  const { provider, data } = await mailData(tx, order, entry);
  const members = await tx.find(
    ServiceProviderMember,
    { provider: provider.id, endedAt: null, portalUser: { disabledAt: null } },
    { populate: ['portalUser'] },
  );
  const organization = await tx.findOneOrFail(Organization, order.organization.id);
  const base = configuredBaseUrl().replace(/\/$/, '');
  const recipients = new Map<string, string>();
  if (provider.email) recipients.set(provider.email.toLowerCase(), isClosed(order.status) ? '' : orderLink(base, order));
  for (const m of members) recipients.set(m.portalUser.email, `${base}/portal/auftraege/${order.id}`);
  for (const [to, link] of recipients)
    enqueueMail(tx, { organization, to, template: 'order-update', locale: 'de', data: { ...data, audience: 'provider', link } }, now);
}
