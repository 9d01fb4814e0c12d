import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';

/** A Verwaltung: the management company, and the hard tenant boundary of the system. */
export const Organization = defineEntity({
  name: 'Organization',
  properties: {
    id: id(),
    name: p.string().length(200),
    street: p.string().length(200).nullable(),
    postalCode: p.string().length(10).nullable(),
    city: p.string().length(100).nullable(),
    email: p.string().length(254).nullable(),
    phone: p.string().length(50).nullable(),
    // Administration > Kundenportal > Einstellungen (seed 001).
    faqEnabled: p.boolean().default(true),
    createdAt: createdAt(),
  },
});
export type Organization = InferEntity<typeof Organization>;
