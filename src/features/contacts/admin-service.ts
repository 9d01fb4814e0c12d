import type { Em } from '../../db/orm.ts';
import { Contact, CONTACT_PREFERENCES, CONTACT_TYPES, SALUTATIONS, type Organization, type StaffUser } from '../../entities/index.ts';
import { field, type FieldMessage } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';
import { checkExternalId, checkKindFields, consoleLocked, setArchived } from '../masterdata/console-edit.ts';
import { contacts as contactKind } from '../masterdata/kinds/contacts.ts';
import { withoutErpLocked } from '../masterdata/ownership.ts';
import { newContactPreference } from './service.ts';

/** The fields of the Kontakt form that the ERP also sends (src/features/masterdata/kinds/contacts.ts). */
const KIND_FIELDS = ['type', 'salutation', 'title', 'firstName', 'lastName', 'companyName', 'email', 'phone', 'street', 'postalCode', 'city', 'country'] as const;
/** Every field of the form: the ERP's, the Kontaktweg (console only) and the Externe ID. */
export const CONTACT_FORM_FIELDS = [...KIND_FIELDS, 'contactPreference', 'externalId'] as const;
export type ContactForm = Record<(typeof CONTACT_FORM_FIELDS)[number], string>;

export const CONTACT_CHOICES = { type: CONTACT_TYPES, salutation: SALUTATIONS, contactPreference: CONTACT_PREFERENCES };

/** The form of a new contact (Kontaktweg from the settings) or of a stored one. */
export function contactFormOf(contact: Contact | null, organization: Pick<Organization, 'defaultContactPreferenceOnline'>): ContactForm {
  if (!contact) {
    const empty = Object.fromEntries(CONTACT_FORM_FIELDS.map((name) => [name, ''])) as ContactForm;
    return { ...empty, type: 'person', salutation: 'none', country: 'DE', contactPreference: newContactPreference(organization) };
  }
  return Object.fromEntries(CONTACT_FORM_FIELDS.map((name) => [name, String(contact[name] ?? '')])) as ContactForm;
}

/** The submitted form: every field a string (missing or repeated ones empty). */
export function contactFormFrom(body: Record<string, unknown>): ContactForm {
  return Object.fromEntries(CONTACT_FORM_FIELDS.map((name) => [name, field(body?.[name])])) as ContactForm;
}

/** The fields of a contact the console must not change (the ERP's while it owns the record). */
export function contactLocked(contact: Contact | null): Set<string> {
  return consoleLocked(contactKind, contact);
}

/**
 * Checks a submitted contact form. Fields the ERP owns are taken from the stored contact,
 * whatever was posted (the inputs are disabled; this is the server side of it). Returns the
 * values to store (entity property → value) or the messages per field.
 */
export async function checkContactForm(em: Em, submitted: ContactForm, contact: Contact | null) {
  const locked = contactLocked(contact);
  const stored = contact ? contactFormOf(contact, { defaultContactPreferenceOnline: true }) : null;
  const form = { ...submitted, ...(stored ? Object.fromEntries([...locked].map((name) => [name, stored[name as keyof ContactForm]])) : {}) } as ContactForm;
  if (!form.country.trim()) form.country = 'DE';
  form.country = form.country.trim().toUpperCase();
  const { values, errors } = checkKindFields(contactKind, form, [...KIND_FIELDS]);
  if (!errors.country && !/^[A-Z]{2}$/.test(String(values.country))) errors.country = 'contacts-admin:problems.invalid_country';
  if (!(CONTACT_PREFERENCES as readonly string[]).includes(form.contactPreference)) errors.contactPreference = 'contacts-admin:problems.invalid_choice';
  else values.contactPreference = form.contactPreference;
  for (const problem of contactKind.check?.(values) ?? []) errors[problem.field!] ??= `contacts-admin:problems.${problem.code}`;
  const externalId = await checkExternalId(em, Contact, form.externalId, contact);
  if (typeof externalId === 'object' && externalId) errors.externalId = externalId.error;
  else values.externalId = externalId;
  return { form, errors: errors as Record<string, FieldMessage>, values: withoutErpLocked(values, locked) };
}

/** Creates a contact from checked values. */
export function createContact(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): Contact {
  const contact = em.create(Contact, { ...(values as object), organization: staff.organization, createdAt: now, updatedAt: now } as never) as Contact;
  auditStaffAction(em, staff, 'contact.created', { type: 'contact', id: contact.id }, null, now);
  return contact;
}

/** Stores checked values on a contact. */
export function updateContact(em: Em, staff: StaffUser, contact: Contact, values: Record<string, unknown>, now: Date) {
  em.assign(contact, values as never);
  auditStaffAction(em, staff, 'contact.updated', { type: 'contact', id: contact.id }, null, now);
}

/**
 * Archives or restores a contact. An archived contact's logins see nothing through it any
 * more: the access rule (src/features/access/service.ts) skips archived contacts.
 */
export function setContactArchived(em: Em, staff: StaffUser, contact: Contact, archived: boolean, now: Date): boolean {
  return setArchived(em, staff, 'contact', contact, archived, now);
}
