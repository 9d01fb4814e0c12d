import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, erpSyncedAt, externalId, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Property } from './property.ts';

/** A Dienstleister: an external company (Hausmeister, Heizung, ...) serving properties. */
export const ServiceProvider = defineEntity({
  name: 'ServiceProvider',
  uniques: [{ properties: ['organization', 'externalId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    externalId: externalId(),
    name: p.string().length(200),
    trade: p.string().length(100).nullable(),
    email: p.string().length(254).nullable(),
    phone: p.string().length(50).nullable(),
    street: p.string().length(200).nullable(),
    postalCode: p.string().length(10).nullable(),
    city: p.string().length(100).nullable(),
    archivedAt: p.datetime().nullable(),
    erpSyncedAt: erpSyncedAt(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** The properties it serves (issue 23): set in the console, by the sync API and the CSV import. */
    properties: () => p.manyToMany(Property).owner().pivotTable('service_provider_property').joinColumn('service_provider_id').inverseJoinColumn('property_id'),
  },
});
export type ServiceProvider = InferEntity<typeof ServiceProvider>;
