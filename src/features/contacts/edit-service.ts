import type { Em } from '../../db/orm.ts';
import { Contact, CONTACT_PREFERENCES, CONTACT_TYPES, newContactPreference, SALUTATIONS, type Organization, type StaffUser } from '../../entities/index.ts';
import {
  checkEdit,
  checkExternalId,
  checkKindFields,
  checkKindRules,
  consoleLocked,
  createRecord,
  fieldProblem,
  formFromBody,
  formOfRecord,
  updateRecord,
} from '../masterdata/console-edit.ts';
import { contacts as contactKind } from '../masterdata/kinds/contacts.ts';

/** The fields of the Kontakt form that the ERP also sends (src/features/masterdata/kinds/contacts.ts). */
const KIND_FIELDS = [
  'type',
  'salutation',
  'title',
  'firstName',
  'lastName',
  'companyName',
  'email',
  'phone',
  'street',
  'postalCode',
  'city',
  'country',
] as const;
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
 * Checks a submitted contact form (checkEdit: fields the ERP owns keep their stored value).
 * Returns the form as checked, the values to store (entity property → value) and the
 * messages per field. The Land's rule (two letters) is the kind's; empty means Germany.
 */
export function checkContactForm(em: Em, submitted: ContactForm, contact: Contact | null) {
  return checkEdit({
    kind: contactKind,
    record: contact,
    submitted,
    stored: () => contactFormOf(contact, { defaultContactPreferenceOnline: true }),
    check: async (form) => {
      form.country = form.country.trim().toUpperCase() || 'DE';
      const checked = checkKindFields(contactKind, form, KIND_FIELDS);
      if (!(CONTACT_PREFERENCES as readonly string[]).includes(form.contactPreference)) checked.errors.contactPreference = fieldProblem('invalid_choice');
      else checked.values.contactPreference = form.contactPreference;
      checkKindRules(contactKind, checked);
      await checkExternalId(em, Contact, form.externalId, contact, checked);
      return checked;
    },
  });
}

/** The audit subject of contacts. */
const SUBJECT = 'contact';

/** Creates a contact from checked values (the caller flushes). */
export function createContact(em: Em, staff: StaffUser, values: Record<string, unknown>, now: Date): Contact {
  return createRecord(em, staff, SUBJECT, Contact, values, now);
}

/** Stores checked values on a contact (the caller flushes). */
export function updateContact(em: Em, staff: StaffUser, contact: Contact, values: Record<string, unknown>, now: Date) {
  updateRecord(em, staff, SUBJECT, contact, values, now);
}
