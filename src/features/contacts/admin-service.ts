import type { Em } from '../../db/orm.ts';
import { Contact, CONTACT_PREFERENCES, CONTACT_TYPES, SALUTATIONS, type Organization, type StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';
import { checkExternalId, checkKindFields, checkKindRules, consoleLocked, formFromBody, formOfRecord, keepLocked, problemMessage } from '../masterdata/console-edit.ts';
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
  const form = formOfRecord(contact, CONTACT_FORM_FIELDS) as ContactForm;
  return contact ? form : { ...form, type: 'person', salutation: 'none', country: 'DE', contactPreference: newContactPreference(organization) };
}

/** The submitted form: every field a string (missing or repeated ones empty). */
export function contactFormFrom(body: Record<string, unknown>): ContactForm {
  return formFromBody(body, CONTACT_FORM_FIELDS) as ContactForm;
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
  const form = keepLocked(submitted, contact ? contactFormOf(contact, { defaultContactPreferenceOnline: true }) : null, locked);
  form.country = form.country.trim().toUpperCase() || 'DE';
  const checked = checkKindFields(contactKind, form, KIND_FIELDS);
  const { values, errors } = checked;
  if (!errors.country && !/^[A-Z]{2}$/.test(String(values.country))) errors.country = problemMessage('invalid_country');
  if (!(CONTACT_PREFERENCES as readonly string[]).includes(form.contactPreference)) errors.contactPreference = problemMessage('invalid_choice');
  else values.contactPreference = form.contactPreference;
  checkKindRules(contactKind, checked);
  await checkExternalId(em, Contact, form.externalId, contact, checked);
  return { form, errors, values: withoutErpLocked(values, locked) };
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
