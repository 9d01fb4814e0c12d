import type { Em } from '../../db/orm.ts';
import { PropertyOwnerLink, type Contact, type Property, type StaffUser } from '../../entities/index.ts';
import type { FieldMessage } from '../../http/forms.ts';
import { findContacts } from '../contacts/service.ts';
import { createRecord, setArchived } from '../masterdata/console-edit.ts';

// Hausbesitzer of a whole property (seed 004) in the console: the links the ERP pushes as
// `property-owners` (src/features/masterdata/kinds/accounting.ts), and those staff make here.
// A link gives portal access (role property_owner, src/features/access/service.ts), so a link
// is never deleted: "Entfernen" archives it, as the API's DELETE does.

/** The audit subject of Hausbesitzer links (the same records as the API's `property-owners`). */
const SUBJECT = 'property-owner';
/** How many matches the contact search shows: a picker, never all contacts. */
const SEARCH_LIMIT = 20;

/** The Hausbesitzer of a property (links not archived), by name. */
export async function ownerLinksOf(em: Em, property: Property): Promise<PropertyOwnerLink[]> {
  return em.find(
    PropertyOwnerLink,
    { property: property.id, archivedAt: null },
    { populate: ['contact'], orderBy: { contact: { lastName: 'asc', firstName: 'asc', companyName: 'asc' }, id: 'asc' } },
  );
}

/** The contacts matching the search field of "Hausbesitzer verknüpfen" (none for an empty term). */
export function ownerCandidates(em: Em, term: string): Promise<Contact[]> {
  return findContacts(em, term, { limit: SEARCH_LIMIT });
}

/**
 * Links a contact of the Verwaltung as Hausbesitzer of the property, audited; an archived
 * contact or one already linked is a message for the search field. A link archived earlier
 * by staff is restored rather than doubled (the caller flushes).
 */
export async function linkOwner(em: Em, staff: StaffUser, property: Property, contact: Contact, now: Date): Promise<{ error: FieldMessage } | { ok: true }> {
  if (contact.archivedAt) return { error: 'properties-edit:owners.contactArchived' };
  const links = await em.find(PropertyOwnerLink, { property: property.id, contact: contact.id }, { orderBy: { createdAt: 'desc' } });
  if (links.some((link) => !link.archivedAt)) return { error: 'properties-edit:owners.alreadyLinked' };
  const restorable = links.find((link) => !link.erpSyncedAt);
  if (restorable) setArchived(em, staff, SUBJECT, restorable, false, now);
  else createRecord(em, staff, SUBJECT, PropertyOwnerLink, { property, contact, externalId: null }, now, { contact: contact.id, property: property.id });
  return { ok: true };
}

/** "Entfernen": archives a link made in the console; one the ERP owns is refused (409, removed by deleting it in the ERP). */
export function unlinkOwner(em: Em, staff: StaffUser, link: PropertyOwnerLink, now: Date) {
  setArchived(em, staff, SUBJECT, link, true, now);
}
