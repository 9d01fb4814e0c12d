import { berlinYear } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import {
  Contact,
  Document,
  OPEN_TICKET_STATUSES,
  Organization,
  Property,
  ServiceProvider,
  Ticket,
  TicketAttachment,
  TicketCategory,
  TicketDocument,
  Unit,
  contactDisplayName,
  parseTicketReference,
  ticketReference,
  type MailAttachment,
  type StaffUser,
} from '../../entities/index.ts';
import { textareaField, field, type FieldErrors } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { auditStaffAction } from '../audit/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { NOT_INTERNAL } from './access.ts';
import { forwardLinks, orderForForward } from '../orders/service.ts';
import { notifyResidents } from './notify.ts';
import { newEntry } from './service.ts';

/**
 * The handover panel of a Vorgang in the console (views/tickets/_handover.eta, routes in
 * ./handover-routes.ts): linked documents, forwarding to a Dienstleister by e-mail, and
 * merging a duplicate into another Vorgang. What residents see of it follows the rule in
 * ./access.ts: linking and merging are public entries, forwarding is internal (residents
 * never learn which company was contacted).
 */

/** Documents offered for linking: the newest published ones of the ticket's property. */
const DOCUMENT_CHOICES = 200;
/** Photos sent along with a forward (the first ones reported). */
export const MAX_FORWARD_PHOTOS = 10;
export const FORWARD_MESSAGE_MAX = 5_000;

/**
 * What the detail page's handover panel shows: linked documents, the documents to link,
 * the Dienstleister to forward to, the tickets merged into this one and the one this was
 * merged into.
 */
export async function handoverPanel(em: Em, ticket: Ticket) {
  const [linked, providers, mergedFrom, mergedInto] = await Promise.all([
    em.find(TicketDocument, { ticket: ticket.id }, { populate: ['document', 'document.type'], orderBy: { createdAt: 'asc' } }),
    forwardProviders(em),
    em.find(Ticket, { mergedInto: ticket.id }, { fields: ['year', 'number'], orderBy: { year: 'asc', number: 'asc' } }),
    ticket.mergedInto ? em.findOne(Ticket, ticket.mergedInto.id, { fields: ['year', 'number'] }) : null,
  ]);
  const linkedIds = new Set(linked.map((row) => row.document.id));
  const choices = await em.find(
    Document,
    { property: ticket.property.id, status: 'published', ...(linkedIds.size > 0 ? { id: { $nin: [...linkedIds] } } : {}) },
    { populate: ['type'], orderBy: { publishedAt: 'desc', id: 'asc' }, limit: DOCUMENT_CHOICES },
  );
  return {
    linkedDocuments: linked.map((row) => row.document),
    documentChoices: choices,
    providers,
    mergedFrom: mergedFrom.map((t) => ({ id: t.id, reference: ticketReference(t) })),
    mergedInto: mergedInto ? { id: mergedInto.id, reference: ticketReference(mergedInto) } : null,
    maxForwardPhotos: MAX_FORWARD_PHOTOS,
  };
}

// ---------------------------------------------------------------------------------------
// Dokumente verknüpfen

/**
 * Links a published document of the ticket's property. Writes an internal 'document' entry
 * — internal because its title would otherwise reach residents the document is not shared
 * with; residents see linked documents only where the document rule lets them (portal
 * detail page) — and an audit row; linking it twice changes nothing. An i18n key when the document is not one to link.
 */
export async function linkDocument(em: Em, ticket: Ticket, staff: StaffUser, documentId: string, now: Date): Promise<{ error?: string }> {
  const document = isUuid(documentId) ? await em.findOne(Document, { id: documentId, property: ticket.property.id, status: 'published' }) : null;
  if (!document) return { error: 'tickets-handover:errors.document' };
  await em.transactional(async (tx) => {
    const [inserted] = await tx.execute<Array<{ ticket_id: string }>>(
      `insert into ticket_document (ticket_id, document_id, organization_id, created_at) values (?, ?, ?, ?)
       on conflict do nothing returning ticket_id`,
      [ticket.id, document.id, ticket.organization.id, now],
      'all',
    );
    if (!inserted) return;
    newEntry(tx, ticket, { staff }, 'document', now, { internal: true, data: { title: document.title, documentId: document.id } });
    auditStaffAction(tx, staff, 'ticket.document.link', { type: 'ticket', id: ticket.id }, { documentId: document.id, title: document.title }, now);
    await tx.flush();
  });
  return {};
}

/** Removes a linked document from the ticket; false when it was not linked. The timeline keeps the linking. */
export async function unlinkDocument(em: Em, ticket: Ticket, staff: StaffUser, documentId: string, now: Date): Promise<boolean> {
  if (!isUuid(documentId)) return false;
  return em.transactional(async (tx) => {
    const removed = await tx.nativeDelete(TicketDocument, { ticket: ticket.id, document: documentId });
    if (removed === 0) return false;
    auditStaffAction(tx, staff, 'ticket.document.unlink', { type: 'ticket', id: ticket.id }, { documentId }, now);
    await tx.flush();
    return true;
  });
}

// ---------------------------------------------------------------------------------------
// An Dienstleister weiterleiten

/** The Dienstleister one can forward to: those with an e-mail address, not archived. */
export function forwardProviders(em: Em) {
  return em.find(ServiceProvider, { email: { $ne: null }, archivedAt: null }, { orderBy: { name: 'asc' } });
}

/** The form "An Dienstleister weiterleiten" as submitted. */
export type ForwardForm = { provider: string; message: string; includeContact: boolean };

export function forwardForm(body: Record<string, unknown> | undefined): ForwardForm {
  return {
    provider: field(body?.provider).trim(),
    message: textareaField(body?.message),
    includeContact: field(body?.includeContact) === 'yes',
  };
}

/**
 * Forwards the ticket by e-mail (in German) to a Dienstleister: number, title, place,
 * Thema, description, the message of the member of staff and whom to answer, with the
 * ticket's public photos attached. Internal notes never go out, and the reporter's name,
 * e-mail and phone only when "Kontaktdaten des Melders mitsenden" is ticked. Writes an
 * internal 'forwarded' entry and an audit row. Field errors when the form is not valid.
 */
export async function forwardTicket(em: Em, ticket: Ticket, staff: StaffUser, form: ForwardForm, now: Date): Promise<{ errors: FieldErrors }> {
  const errors: FieldErrors = {};
  const provider = isUuid(form.provider) ? await em.findOne(ServiceProvider, { id: form.provider, email: { $ne: null }, archivedAt: null }) : null;
  if (!provider) errors.provider = 'tickets-handover:errors.provider';
  if (form.message.length > FORWARD_MESSAGE_MAX) errors.message = 'tickets-handover:errors.messageTooLong';
  if (!provider || Object.keys(errors).length > 0) return { errors };

  const [organization, property, category, unit, photos, contact] = await Promise.all([
    em.findOneOrFail(Organization, ticket.organization.id),
    em.findOneOrFail(Property, ticket.property.id, { fields: ['name'] }),
    em.findOneOrFail(TicketCategory, ticket.category.id, { fields: ['name'] }),
    ticket.unit ? em.findOneOrFail(Unit, ticket.unit.id, { fields: ['number'] }) : null,
    em.find(
      TicketAttachment,
      { ticket: ticket.id, entry: NOT_INTERNAL, mimeType: { $like: 'image/%' } },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: MAX_FORWARD_PHOTOS },
    ),
    form.includeContact && ticket.reporterContact ? em.findOne(Contact, ticket.reporterContact.id) : null,
  ]);
  const attachments: MailAttachment[] = photos.map((photo) => ({ fileName: photo.fileName, mimeType: photo.mimeType, storageKey: photo.storageKey }));
  const reporter = form.includeContact
    ? { name: contact ? contactDisplayName(contact) || ticket.reporterName : ticket.reporterName, email: contact?.email ?? null, phone: contact?.phone ?? null }
    : null;
  await em.transactional(async (tx) => {
    // The forward makes an Auftrag (src/features/orders): its signed link and portal page go with the mail.
    const order = await orderForForward(tx, { ticket, provider, staff, includeContact: form.includeContact, message: form.message, now });
    await tx.flush();
    enqueueMail(
      tx,
      {
        organization,
        to: provider.email!,
        template: 'ticket-forward',
        locale: 'de',
        data: {
          reference: ticketReference(ticket),
          title: ticket.title,
          propertyName: property.name,
          unitNumber: unit?.number ?? null,
          commonArea: ticket.commonArea ?? null,
          categoryName: category.name,
          description: ticket.description,
          message: form.message,
          staffName: staff.name,
          staffEmail: staff.email,
          providerName: provider.name,
          photoCount: attachments.length,
          reporter,
          ...forwardLinks(order),
        },
        attachments,
      },
      now,
    );
    newEntry(tx, ticket, { staff }, 'forwarded', now, { internal: true, body: form.message, data: { provider: provider.name, email: provider.email } });
    auditStaffAction(
      tx,
      staff,
      'ticket.forward',
      { type: 'ticket', id: ticket.id },
      { providerId: provider.id, email: provider.email, photos: attachments.length, reporterContact: form.includeContact },
      now,
    );
    await tx.flush();
  });
  return { errors };
}

// ---------------------------------------------------------------------------------------
// Duplikat zusammenführen

/** A merge target as staff type it (parseTicketReference); a number without a year is this year's (Berlin calendar). */
function mergeTargetNumber(text: string, now: Date): { year: number; number: number } | null {
  const parsed = parseTicketReference(text);
  return parsed && { year: parsed.year ?? berlinYear(now), number: parsed.number };
}

export type MergeResult = { target: Ticket; error?: undefined } | { target?: undefined; error: string };

/**
 * Merges `duplicate` INTO the open ticket numbered `targetNumber` of the same property, in
 * one transaction: the duplicate is closed and points to the target, both get a public
 * 'merged' entry, the duplicate's reporter and followers follow the target from now on
 * (not the target's own reporter), the duplicate's residents are mailed, and it is audited.
 * Refused (an i18n key, nothing written): an unknown number (another Verwaltung's numbers
 * are unknown through the tenant filter), the ticket itself, another property, a closed
 * target, or a duplicate already merged.
 */
export async function mergeTicket(em: Em, duplicate: Ticket, staff: StaffUser, targetNumber: string, now: Date, baseUrl: string): Promise<MergeResult> {
  const parsed = mergeTargetNumber(targetNumber, now);
  if (!parsed) return { error: targetNumber.trim() ? 'tickets-handover:errors.mergeUnknown' : 'tickets-handover:errors.mergeRequired' };
  const target = await em.findOne(Ticket, { year: parsed.year, number: parsed.number });
  const refusal = mergeRefusal(duplicate, target);
  if (refusal || !target) return { error: refusal ?? 'tickets-handover:errors.mergeUnknown' };

  return em.transactional(async (tx): Promise<MergeResult> => {
    // Both rows locked (in id order: two merges at once cannot deadlock) and checked again,
    // so of "A into B" and "B into A" at the same moment only one happens.
    const rows = await tx.execute<Array<{ id: string; status: string; merged_into_id: string | null; property_id: string }>>(
      `select id, status, merged_into_id, property_id from ticket where id in (?, ?) and organization_id = ? order by id for update`,
      [duplicate.id, target.id, duplicate.organization.id],
      'all',
    );
    const current = (id: string) => rows.find((row) => row.id === id);
    const dup = current(duplicate.id);
    const into = current(target.id);
    if (!dup || !into || dup.property_id !== into.property_id) return { error: 'tickets-handover:errors.mergeUnknown' };
    if (dup.merged_into_id) return { error: 'tickets-handover:errors.mergeAlreadyMerged' };
    if (!(OPEN_TICKET_STATUSES as readonly string[]).includes(into.status) || into.merged_into_id) return { error: 'tickets-handover:errors.mergeClosed' };

    // A new version, so a status form still open on the duplicate meets a conflict (service.ts).
    await tx.execute(
      `update ticket set status = 'done', closed_at = case when status = 'done' then coalesce(closed_at, ?) else ? end,
         merged_into_id = ?, version = version + 1, last_activity_at = ? where id = ? and organization_id = ?`,
      [now, now, target.id, now, duplicate.id, duplicate.organization.id],
    );
    await tx.nativeUpdate(Ticket, { id: target.id }, { lastActivityAt: now });
    // The duplicate's residents follow the target (its own reporter is linked already).
    await tx.execute(
      `insert into ticket_follower (ticket_id, portal_user_id, organization_id, created_at)
       select ?, linked.portal_user_id, ?, ?
       from (select ?::uuid as portal_user_id union select portal_user_id from ticket_follower where ticket_id = ? and organization_id = ?) linked
       where linked.portal_user_id <> ?
       on conflict do nothing`,
      [target.id, target.organization.id, now, duplicate.reporter.id, duplicate.id, duplicate.organization.id, target.reporter.id],
    );
    const intoEntry = newEntry(tx, duplicate, { staff }, 'merged', now, { data: { other: ticketReference(target), otherId: target.id, direction: 'into' } });
    newEntry(tx, target, { staff }, 'merged', now, { data: { other: ticketReference(duplicate), otherId: duplicate.id, direction: 'from' } });
    await notifyResidents(tx, duplicate, intoEntry, baseUrl, now, null);
    auditStaffAction(tx, staff, 'ticket.merge', { type: 'ticket', id: duplicate.id }, { into: target.id, reference: ticketReference(target) }, now);
    await tx.flush();
    return { target };
  });
}

/** Why `duplicate` cannot be merged into `target` (an i18n key), or null. */
function mergeRefusal(duplicate: Ticket, target: Ticket | null): string | null {
  if (!target) return 'tickets-handover:errors.mergeUnknown';
  if (target.id === duplicate.id) return 'tickets-handover:errors.mergeItself';
  if (duplicate.mergedInto) return 'tickets-handover:errors.mergeAlreadyMerged';
  if (target.property.id !== duplicate.property.id) return 'tickets-handover:errors.mergeOtherProperty';
  if (!(OPEN_TICKET_STATUSES as readonly string[]).includes(target.status) || target.mergedInto) return 'tickets-handover:errors.mergeClosed';
  // The duplicate's residents will follow the target and see its photos and timeline: only
  // a concern about a common area, or about the same unit, may be shared that way.
  if (target.unit && target.unit.id !== duplicate.unit?.id) return 'tickets-handover:errors.mergePrivate';
  return null;
}
