import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Organization } from './organization.ts';

/** Who did what, when: one row per security- or data-relevant action. Never updated. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    actorType: p.enum(['staff', 'portal', 'system', 'api']),
    actorId: p.string().length(36).nullable(),
    action: p.string().length(100),
    subjectType: p.string().length(50).nullable(),
    subjectId: p.string().length(36).nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    createdAt: createdAt(),
  },
});
export type AuditLog = InferEntity<typeof AuditLog>;
