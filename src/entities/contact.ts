import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, externalId, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Unit } from './property.ts';

export const CONTACT_TYPES = ['person', 'company'] as const;
export const SALUTATIONS = ['frau', 'herr', 'divers', 'firma', 'none'] as const;
export const CONTACT_PREFERENCES = ['online', 'post'] as const;
export type ContactPreference = (typeof CONTACT_PREFERENCES)[number];

/** A Kontakt: a person or company known to the Verwaltung (tenant, owner, ...). */
export const Contact = defineEntity({
  name: 'Contact',
  uniques: [{ properties: ['organization', 'externalId'] }],
  indexes: [{ properties: ['organization', 'lastName'] }],
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
    archivedAt: p.datetime().nullable(),
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
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    kind: p.enum(CONTRACT_KINDS),
    unit: () => p.manyToOne(Unit),
    contacts: () => p.manyToMany(Contact).owner().pivotTable('contract_contact'),
    contractNumber: p.string().length(100).nullable(),
    startsOn: p.date(),
    endsOn: p.date().nullable(),
    createdAt: createdAt(),
  },
});
export type Contract = InferEntity<typeof Contract>;

/** How a contact is named in lists and letters: "Dr. Heinrich Eigner" or the company name. */
export function contactDisplayName(contact: Pick<Contact, 'type' | 'companyName' | 'title' | 'firstName' | 'lastName'>): string {
  if (contact.type === 'company') return contact.companyName ?? '';
  return [contact.title, contact.firstName, contact.lastName].filter(Boolean).join(' ');
}
