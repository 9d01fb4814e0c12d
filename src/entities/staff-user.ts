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
    createdAt: createdAt(),
  },
});
export type StaffUser = InferEntity<typeof StaffUser>;
