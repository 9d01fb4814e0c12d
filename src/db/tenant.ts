import * as entities from '../entities/index.ts';

// The one place that scopes queries to the current Verwaltung.
//
// A global MikroORM filter, on by default, for every entity that belongs to a Verwaltung.
// Request middleware sets its parameter from the logged-in user (`scopeToOrganization`);
// a query on such an entity without it throws, so forgetting the scope fails loudly
// instead of leaking. Code that must look across Verwaltungen (login by e-mail, jobs)
// says so explicitly with `filters: { tenant: false }`.
//
// Filters do not reach raw SQL or QueryBuilders without `applyFilters`; feature code
// therefore uses em.find and em.count, except where one set-based statement is needed for
// speed: the access rule (src/features/access/service.ts), the document rule
// (src/features/documents/visibility.ts), the digest, download counts and read receipts, and
// Vorgänge (src/features/tickets: number counter, reopen, merge, followers, linked documents,
// list counts and choices).
// Those name the Verwaltung as an explicit condition on every tenant table they read, taken
// from the scoped EntityManager through `scopedOrganization`; the other raw queries
// (throttle, advisory locks, outbox) touch tables of no Verwaltung.
//
// Which entities the filter covers is derived, not kept by hand: every entity with an
// `organization` relation, except those listed in CROSS_TENANT with the reason they must be
// reachable before or across Verwaltungen (test/unit/tenant-entities.test.ts keeps this
// honest for new entities).

/**
 * Entities that belong to a Verwaltung but are looked up before one is known or across all of
 * them, with the reason. Their queries say how they are narrowed instead.
 */
export const CROSS_TENANT: Readonly<Record<string, string>> = {
  Session: 'found by the token of a cookie before the Verwaltung is known (src/auth/session.ts); deleted by id or user',
  OneTimeToken: 'found by the secret of a link (password reset, staff invitation) before anyone is logged in (src/auth/tokens.ts)',
  SecondFactorChallenge:
    'found by the token of the second-factor cookie between password and session, before anyone is logged in (src/features/staff-signin/totp.ts)',
  OidcLoginAttempt: 'found by the state of the company provider callback before anyone is logged in (src/features/staff-signin/oidc.ts)',
  OutboxMail: 'delivered by the mail-outbox job for every Verwaltung at once, in plain SQL (src/features/mail/deliver.ts)',
};

type EntitySchema = { meta: { className: string; properties: Record<string, { kind?: string } | undefined> } };

const ENTITY_SCHEMAS = Object.values(entities).filter(
  (value): value is EntitySchema & (typeof entities)['Organization'] => typeof value === 'object' && value !== null && 'meta' in value,
);

/** Whether an entity belongs to a Verwaltung: it has the many-to-one `organization`. */
export function belongsToOrganization(entity: EntitySchema): boolean {
  return entity.meta.properties.organization?.kind === 'm:1';
}

/** The entities the tenant filter scopes: every one that belongs to a Verwaltung, except CROSS_TENANT. */
export const TENANT_ENTITIES = ENTITY_SCHEMAS.filter((entity) => belongsToOrganization(entity) && !(entity.meta.className in CROSS_TENANT));

export const tenantFilter = {
  name: 'tenant',
  cond: (args: { organizationId?: string }) => {
    if (!args?.organizationId) throw new Error('tenant filter used without an organization');
    return { organization: args.organizationId };
  },
  entity: TENANT_ENTITIES,
  default: true,
};

/** Scopes every later query of this EntityManager to one Verwaltung. */
export function scopeToOrganization(em: { setFilterParams(name: string, args: object): void }, organizationId: string) {
  em.setFilterParams('tenant', { organizationId });
}

/**
 * The Verwaltung an EntityManager is scoped to. Plain SQL is not reached by the filter, so
 * queries written in SQL take it from here and name it as an explicit condition.
 */
export function scopedOrganization(em: { getFilterParams(name: string): unknown }): string {
  const params = em.getFilterParams('tenant') as { organizationId?: string } | undefined;
  if (!params?.organizationId) throw new Error('query without a Verwaltung: scope the EntityManager first');
  return params.organizationId;
}
