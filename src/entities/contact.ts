import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, erpSyncedAt, externalId, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Unit } from './property.ts';

export const CONTACT_TYPES = ['person', 'company'] as const;
export const SALUTATIONS = ['frau', 'herr', 'divers', 'firma', 'none'] as const;
export const CONTACT_PREFERENCES = ['online', 'post'] as const;
export type ContactPreference = (typeof CONTACT_PREFERENCES)[number];

/**
 * The columns the Kontakte search looks into with `ILIKE '%term%'` (src/features/contacts/service.ts).
 * A B-tree cannot serve a pattern with a leading wildcard; a trigram GIN index per column
 * can, so a search reads the matching rows instead of the whole table. Needs the pg_trgm
 * extension (migrations/Migration20261123190110_list_indexes.ts; loaded into the embedded
 * database by src/db/orm.ts).
 */
const TRIGRAM_SEARCH_COLUMNS = ['last_name', 'first_name', 'company_name', 'email'] as const;

/** A Kontakt: a person or company known to the Verwaltung (tenant, owner, ...). */
export const Contact = defineEntity({
  name: 'Contact',
  uniques: [{ properties: ['organization', 'externalId'] }],
  indexes: [
    { properties: ['organization', 'lastName'] },
    // The Kontakte list sorts by Ort and E-Mail too (src/features/contacts/service.ts).
    { properties: ['organization', 'city'] },
    { properties: ['organization', 'email'] },
    ...TRIGRAM_SEARCH_COLUMNS.map((column) => ({
      name: `contact_${column}_trgm_index`,
      expression: `create index "contact_${column}_trgm_index" on "contact" using gin ("${column}" gin_trgm_ops)`,
    })),
  ],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    type: p.enum(CONTACT_TYPES).default('person'),
    salutation: p.enum(SALUTATIONS).default('none'),
    title: p.string().length(50).nullable(),
    firstName: p.string().length(100).nullable(),
    lastName: p.string().length(100).nullable(),
    companyName: p.string().length(200).nullable(),
    email: p.string().length(254).nullable(),
    phone: p.string().length(50).nullable(),
    street: p.string().length(200).nullable(),
    postalCode: p.string().length(10).nullable(),
    city: p.string().length(100).nullable(),
    country: p.string().length(2).default('DE'),
    contactPreference: p.enum(CONTACT_PREFERENCES).default('online'),
    /** Answer to the Bewohnerfrage "Wohnen Sie in der Liegenschaft?"; null: not asked yet. */
    livesInProperty: p.boolean().nullable(),
    /** When the resident last confirmed phone and address (Kontaktdaten bestätigen). */
    contactDataConfirmedAt: p.datetime().nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    contracts: () => p.manyToMany(Contract).mappedBy('contacts'),
  },
});
export type Contact = InferEntity<typeof Contact>;

export const CONTRACT_KINDS = ['rental', 'ownership'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];

/**
 * A Vertrag (Mietvertrag or Eigentum): links one or more contacts to a unit for a period.
 * Dates are calendar days in Europe/Berlin; an open end means the contract runs.
 */
export const Contract = defineEntity({
  name: 'Contract',
  uniques: [{ properties: ['organization', 'externalId'] }],
  // The Verträge list searches contract numbers with ILIKE '%term%' (src/features/masterdata).
  indexes: [
    {
      name: 'contract_contract_number_trgm_index',
      expression: 'create index "contract_contract_number_trgm_index" on "contract" using gin ("contract_number" gin_trgm_ops)',
    },
    // The Verträge list sorts by Beginn, Ende and Vertragsnummer (src/features/contracts/service.ts).
    { properties: ['organization', 'startsOn'] },
    { properties: ['organization', 'endsOn'] },
    { properties: ['organization', 'contractNumber'] },
  ],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    kind: p.enum(CONTRACT_KINDS),
    // Indexed: a unit's contracts are loaded for every unit list (Einheiten, Kontakte tabs).
    unit: () => p.manyToOne(Unit).index(),
    contacts: () =>
      p
        .manyToMany(Contact)
        .owner()
        .pivotEntity(() => ContractContact),
    contractNumber: p.string().length(100).nullable(),
    startsOn: p.date(),
    endsOn: p.date().nullable(),
    /** An archived contract (deleted in the ERP) grants no portal access (src/features/access). */
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Contract = InferEntity<typeof Contract>;

/**
 * The link table of Contract.contacts. Declared as an entity only to index contact_id: the
 * primary key (contract_id, contact_id) serves "contacts of a contract", but "contracts of
 * a contact" (portal access, src/features/access) would otherwise read the whole table.
 */
export const ContractContact = defineEntity({
  name: 'ContractContact',
  tableName: 'contract_contact',
  properties: {
    contract: () => p.manyToOne(Contract).primary().updateRule('cascade').deleteRule('cascade'),
    contact: () => p.manyToOne(Contact).primary().updateRule('cascade').deleteRule('cascade').index(),
  },
});
export type ContractContact = InferEntity<typeof ContractContact>;

/** How a contact is named in lists and letters: "Dr. Heinrich Eigner" or the company name. */
export function contactDisplayName(contact: {
  type: string;
  companyName?: string | null;
  title?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}): string {
  if (contact.type === 'company') return contact.companyName ?? '';
  return [contact.title, contact.firstName, contact.lastName].filter(Boolean).join(' ');
}

/**
 * The contact preference a contact gets when it is created ("Standard Kontaktweg Online",
 * Administration > Kundenportal > Einstellungen, seed 001). Existing contacts keep theirs.
 * Every code path that creates a Contact (the console form, the ERP sync and CSV import,
 * issue 7) uses it; the demo seed sets its preferences explicitly.
 */
export function newContactPreference(organization: { defaultContactPreferenceOnline: boolean }): ContactPreference {
  return organization.defaultContactPreferenceOnline ? 'online' : 'post';
}
