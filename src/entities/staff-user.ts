import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, loginProperties } from './common.ts';
import { Organization } from './organization.ts';

export const STAFF_ROLES = ['admin', 'staff'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A Mitarbeiter or Administrator of a Verwaltung. Invited staff have no password yet. */
export const StaffUser = defineEntity({
  name: 'StaffUser',
  uniques: [{ properties: ['organization', 'email'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ...loginProperties(),
    role: p.enum(STAFF_ROLES).default('staff'),
    // The staff profile (issue 20), optional, shown to residents with the photo where they
    // see this member of staff as Ansprechpartner or as a Vorgang's assignee.
    /** "Position", e.g. "Sachbearbeitung Mietverwaltung". */
    position: p.string().length(100).nullable(),
    /** The phone number residents may call. */
    phone: p.string().length(50).nullable(),
    createdAt: createdAt(),
  },
});
export type StaffUser = InferEntity<typeof StaffUser>;
