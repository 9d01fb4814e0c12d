import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, erpSyncedAt, externalId, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
// Circular with contact.ts; safe because relations are resolved lazily (the arrow functions).
import { Contract } from './contact.ts';

export const PROPERTY_KINDS = ['weg', 'rental', 'mixed'] as const;

/** A Liegenschaft: a managed estate (WEG or rental complex) with one or more addresses. */
export const Property = defineEntity({
  name: 'Property',
  uniques: [{ properties: ['organization', 'externalId'] }],
  indexes: [{ properties: ['organization', 'name'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    name: p.string().length(200),
    kind: p.enum(PROPERTY_KINDS).default('rental'),
    archivedAt: p.datetime().nullable(),
    // The properties chosen under Administration > Kundenportal > Einstellungen; each counts
    // only while the Verwaltung's switch is on too (src/features/portal-settings/switches.ts).
    communityEnabled: p.boolean().default(false),
    bookingsEnabled: p.boolean().default(false),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    addresses: () => p.oneToMany(Address).mappedBy('property'),
    units: () => p.oneToMany(Unit).mappedBy('property'),
  },
});
export type Property = InferEntity<typeof Property>;

/** An Adresse: a street address or entrance of a property. */
export const Address = defineEntity({
  name: 'Address',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    // Indexed: every property list loads its addresses by property.
    property: () => p.manyToOne(Property).index(),
    externalId: externalId(),
    street: p.string().length(200),
    houseNumber: p.string().length(20),
    postalCode: p.string().length(10),
    city: p.string().length(100),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Address = InferEntity<typeof Address>;

export const UNIT_KINDS = ['apartment', 'commercial', 'parking', 'other'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** An Einheit: Wohnung, Gewerbe, Stellplatz or Sonstige, with its area in m². */
export const Unit = defineEntity({
  name: 'Unit',
  uniques: [{ properties: ['organization', 'externalId'] }],
  indexes: [
    { properties: ['property', 'number'] },
    // With the id the Einheiten list's whole order (number, id) comes from the index: many
    // properties have a "Wohnung 001", and with (organization, number) alone PostgreSQL joined
    // all ~1,000 of them to property and address to sort the ties (4.6 → 0.2 ms at 50,000 units).
    { properties: ['organization', 'number', 'id'] },
    // The Einheiten list searches numbers with ILIKE '%term%' (src/features/masterdata).
    { name: 'unit_number_trgm_index', expression: 'create index "unit_number_trgm_index" on "unit" using gin ("number" gin_trgm_ops)' },
  ],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    address: () => p.manyToOne(Address).nullable(),
    externalId: externalId(),
    number: p.string().length(100),
    kind: p.enum(UNIT_KINDS).default('apartment'),
    areaSqm: p.decimal('number').precision(10).scale(2).nullable(),
    floor: p.string().length(50).nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    contracts: () => p.oneToMany(Contract).mappedBy('unit'),
  },
});
export type Unit = InferEntity<typeof Unit>;
