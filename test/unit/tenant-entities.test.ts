import { describe, expect, it } from 'vitest';
import * as entities from '../../src/entities/index.ts';
import { belongsToOrganization, CROSS_TENANT, TENANT_ENTITIES } from '../../src/db/tenant.ts';

/**
 * The tenant filter (src/db/tenant.ts) must cover every entity that belongs to a Verwaltung.
 * A new entity with an `organization` relation is scoped automatically; one that must be
 * reached across Verwaltungen has to be listed in CROSS_TENANT with its reason, or this fails.
 */
const schemas = Object.values(entities).filter((value) => typeof value === 'object' && value !== null && 'meta' in value) as unknown as Array<{
  meta: { className: string; properties: Record<string, { kind?: string } | undefined> };
}>;
const scoped = new Set(TENANT_ENTITIES.map((entity) => entity.meta.className));

describe('the tenant filter’s entities', () => {
  it('scopes every entity with an organization relation that is not listed as cross-tenant', () => {
    const unaccounted = schemas.filter(
      (schema) => belongsToOrganization(schema) && !scoped.has(schema.meta.className) && !(schema.meta.className in CROSS_TENANT),
    );
    expect(unaccounted.map((schema) => schema.meta.className)).toEqual([]);
    expect(scoped.size).toBeGreaterThan(30);
    for (const name of ['Property', 'Contact', 'Ticket', 'Document', 'PortalUser', 'StaffUser', 'AuditLog']) expect(scoped).toContain(name);
  });

  it('lists as cross-tenant only entities that belong to a Verwaltung, each with its reason', () => {
    for (const [name, reason] of Object.entries(CROSS_TENANT)) {
      const schema = schemas.find((s) => s.meta.className === name);
      expect(schema, `${name} is no entity`).toBeDefined();
      expect(belongsToOrganization(schema!), `${name} has no organization relation`).toBe(true);
      expect(scoped.has(name)).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('recognises an entity without an organization relation as belonging to none', () => {
    expect(belongsToOrganization({ meta: { className: 'X', properties: { id: { kind: 'scalar' } } } })).toBe(false);
    expect(belongsToOrganization({ meta: { className: 'Y', properties: { organization: { kind: 'm:1' } } } })).toBe(true);
  });
});
