import { Contact, CONTACT_TYPES, SALUTATIONS, contactDisplayName, newContactPreference } from '../../../entities/index.ts';
import { choice, countryCode, text } from '../fields.ts';
import type { MasterDataKind, Problem } from './kind.ts';

/** Kontakte: Mieter, Eigentümer, Firmen. */
export const contacts: MasterDataKind = {
  name: 'contacts',
  exampleExternalId: 'K-5001',
  entity: Contact,
  fields: [
    choice('type', 'Typ', CONTACT_TYPES, { person: ['Person'], company: ['Firma', 'Unternehmen'] }, 'person'),
    choice('salutation', 'Anrede', SALUTATIONS, { frau: ['Frau'], herr: ['Herr'], divers: ['Divers'], firma: ['Firma'], none: ['Keine'] }, 'frau'),
    text('title', 'Titel', 50, { example: '' }),
    text('firstName', 'Vorname', 100, { example: 'Kristina' }),
    text('lastName', 'Nachname', 100, { example: 'Maiblume' }),
    text('companyName', 'Firma', 200, { example: '' }),
    text('email', 'E-Mail', 254, { email: true, example: 'kristina.maiblume@example.org' }),
    text('phone', 'Telefon', 50, { example: '030 1234567' }),
    text('street', 'Straße und Hausnummer', 200, { example: 'Max-Planck-Straße 12' }),
    text('postalCode', 'PLZ', 10, { example: '10115' }),
    text('city', 'Ort', 100, { example: 'Berlin' }),
    countryCode('country', 'Land', 'DE'),
  ],
  label: (values) => contactDisplayName({ type: String(values.type ?? 'person'), ...values } as Parameters<typeof contactDisplayName>[0]),
  check: (values) => {
    const problems: Problem[] = [];
    if ((values.type ?? 'person') === 'person' && !values.lastName) problems.push({ code: 'person_needs_last_name', field: 'lastName' });
    if (values.type === 'company' && !values.companyName) problems.push({ code: 'company_needs_name', field: 'companyName' });
    return problems;
  },
  defaults: (organization) => ({ contactPreference: newContactPreference(organization) }),
};
