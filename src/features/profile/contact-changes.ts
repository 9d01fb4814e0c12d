import type { Em } from '../../db/orm.ts';
import { type Contact, ContactChangeRequest, type PortalUser, type StaffUser } from '../../entities/index.ts';
import { auditPortalAction, auditStaffAction } from '../audit/service.ts';
import { contactLocked } from '../contacts/edit-service.ts';

export type ContactDataProposal = { phone: string; street: string; postalCode: string; city: string };

/**
 * Proposes phone and address for each of the resident's contacts (one login for several
 * contacts is one person); an open proposal of the same contact is replaced. Nothing on the
 * contact changes until staff accept (acceptContactChange). Validated by the caller.
 */
export async function proposeContactData(em: Em, user: PortalUser, contacts: Contact[], input: ContactDataProposal, now: Date) {
  const values = { phone: input.phone.trim(), street: input.street.trim(), postalCode: input.postalCode.trim(), city: input.city.trim() };
  await em.nativeUpdate(ContactChangeRequest, { contact: { $in: contacts.map((c) => c.id) }, status: 'open' }, { status: 'replaced', decidedAt: now });
  for (const contact of contacts)
    em.create(ContactChangeRequest, { organization: user.organization, contact, portalUser: user, ...values, status: 'open', createdAt: now });
  auditPortalAction(em, user, 'portal.contact_data_proposed', { contactIds: contacts.map((c) => c.id) }, now);
  await em.flush();
}

/** The open proposal of the first of these contacts, for the resident's profile ("wartet auf Bestätigung"). */
export async function openProposalOf(em: Em, contacts: Contact[]): Promise<ContactChangeRequest | null> {
  if (contacts.length === 0) return null;
  return em.findOne(ContactChangeRequest, { contact: { $in: contacts.map((c) => c.id) }, status: 'open' }, { orderBy: { createdAt: 'desc' } });
}

/** The open proposals for a contact, for its console page. */
export function openContactChanges(em: Em, contact: Contact): Promise<ContactChangeRequest[]> {
  return em.find(ContactChangeRequest, { contact: contact.id, status: 'open' }, { populate: ['portalUser'], orderBy: { createdAt: 'asc' } });
}

/** Whether the ERP owns phone or address of the contact now: then the change is made there, not accepted here. */
export function proposalLockedByErp(contact: Contact): boolean {
  const locked = contactLocked(contact);
  return ['phone', 'street', 'postalCode', 'city'].some((field) => locked.has(field));
}

/** "Übernehmen": the contact takes the proposed phone and address. */
export async function acceptContactChange(em: Em, staff: StaffUser, change: ContactChangeRequest, now: Date) {
  const contact = change.contact;
  contact.phone = change.phone;
  contact.street = change.street;
  contact.postalCode = change.postalCode;
  contact.city = change.city;
  contact.contactDataConfirmedAt = now;
  Object.assign(change, { status: 'accepted', decidedBy: staff, decidedAt: now });
  auditStaffAction(em, staff, 'contact.change_accepted', { type: 'Contact', id: contact.id }, { changeId: change.id }, now);
  await em.flush();
}

/** "Ablehnen": the contact stays as it is. */
export async function rejectContactChange(em: Em, staff: StaffUser, change: ContactChangeRequest, now: Date) {
  Object.assign(change, { status: 'rejected', decidedBy: staff, decidedAt: now });
  auditStaffAction(em, staff, 'contact.change_rejected', { type: 'Contact', id: change.contact.id }, { changeId: change.id }, now);
  await em.flush();
}
