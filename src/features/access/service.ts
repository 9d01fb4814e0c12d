import { sql, type RawBuilder } from 'kysely';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { germanOrder } from '../../intl.ts';
import { cachedAccessRows } from './cache.ts';
import { reachesGeneralContent } from '../orders/access.ts';
import { PortalUser, Property, type MembershipRole } from '../../entities/index.ts';

/**
 * The one answer to "may this portal user see this property at this moment, and as what?".
 * Every portal page and download goes through it (src/features/portal/routes.ts →
 * loadPortalProperty), the mail recipients of general content come from it, and the
 * access-window job (./windows.ts) compares its answers day by day.
 *
 * A user sees a property when
 * - one of their contacts has a contract on a unit there that runs today (Berlin calendar
 *   day), or lies inside the access window around it: "Vorvertraglicher Zugang" opens it
 *   N days before the start, "Zugang nach Vertragsende" keeps it open N days after the end
 *   (Administration > Kundenportal > Rollen & Zugriffsrechte, seed 002); or
 * - they hold a membership there without a contract: Bewohner (invited by a neighbour),
 *   Gewerbemitarbeiter, Dienstleister; or
 * - their login belongs to a Dienstleister assigned to the property (role service_provider,
 *   which reaches no general content: src/features/orders/access.ts); or
 * - one of their contacts is the Hausbesitzer of the whole property (a PropertyOwnerLink,
 *   seed 004): role property_owner, which reaches general content and the contact's
 *   individual shares like a running contract.
 *
 * What they see there differs (seed 002, SPEC "Access rules"):
 * - content shared with the property or a group reaches only `activeRoles`: running
 *   contracts and memberships, not contracts inside a window;
 * - content shared with a contact individually reaches the user through `contactIds`:
 *   contracts that run or lie inside a window, never a membership (Bewohner never see
 *   contact-specific content).
 */
export type PortalRole = 'tenant' | 'owner' | MembershipRole | 'advisory_board' | 'property_owner';
export const PORTAL_ROLES: readonly PortalRole[] = [
  'tenant',
  'owner',
  'resident',
  'commercial_employee',
  'service_provider',
  'advisory_board',
  'property_owner',
];

export type PropertyAccess = {
  property: Property;
  /** Every role held there now: contract roles inside the window and memberships. */
  roles: PortalRole[];
  /** `roles` as people read them: a company's tenancy of a commercial unit is "Gewerbe", not "Mieter". */
  shownRoles: ShownRole[];
  /** The user's company contacts with a commercial tenancy running there: who may invite Gewerbemitarbeiter (src/features/commercial). */
  commercialContactIds: string[];
  /** The roles group sharing reaches: running contracts and memberships only. */
  activeRoles: PortalRole[];
  /** Content shared with the whole property (Mitteilungen, Termine, Schwarzes Brett) shows. */
  seesGeneralContent: boolean;
  /** The user's contacts through which individually shared content shows here. */
  contactIds: string[];
  /** Units (and their addresses) with a running contract: what unit and address sharing reaches. */
  unitIds: string[];
  addressIds: string[];
};

/** A role as shown (portal:roles.<role>): the access roles, and the commercial tenant ("Gewerbe"), who is a tenant for everything else. */
export type ShownRole = PortalRole | 'commercial_tenant';

const ROLE_OF_CONTRACT = { rental: 'tenant', ownership: 'owner' } as const;
type ContractKindName = keyof typeof ROLE_OF_CONTRACT;

type AccessRow = {
  portal_user_id: string;
  property_id: string;
  active_kinds: ContractKindName[];
  window_kinds: ContractKindName[];
  contact_ids: string[];
  member_roles: Array<MembershipRole | 'property_owner'>;
  active_unit_ids: string[];
  active_address_ids: string[];
  /** A contact with a running contract there sits on the Verwaltungsbeirat. */
  board: boolean;
  /** Company contacts with a running commercial tenancy there (commercialTenancy). */
  commercial_contact_ids: string[];
  /** Of the rental contracts inside the window: some are commercial tenancies, some are not. */
  rental_commercial: boolean;
  rental_private: boolean;
};

/**
 * The Verwaltung's access windows in days (0 when switched off), as a one-row CTE body.
 * A contract gives access on `day` when `starts_on - pre_days <= day <= ends_on + post_days`.
 */
function windowsOf(organizationId: string) {
  return sql`
    select case when pre_contract_access_enabled then pre_contract_access_days else 0 end as pre_days,
           case when post_contract_access_enabled then post_contract_access_days else 0 end as post_days
    from organization where id = ${organizationId}`;
}

/** Contract `c` lies inside the access window `w` (a row of windowsOf) on `day`; archived contracts never do. */
function contractInWindow(day: string) {
  return sql`c.archived_at is null and c.starts_on - w.pre_days <= ${day}::date and (c.ends_on is null or c.ends_on + w.post_days >= ${day}::date)`;
}

/**
 * Contract `c` runs on `day`: what group sharing needs (seed 002). Archived contracts never
 * run. The same rule for the ORM is runningContractOn below (and runsOn for a loaded
 * contract); change them together.
 */
function contractRuns(day: string) {
  return sql`(c.archived_at is null and c.starts_on <= ${day}::date and (c.ends_on is null or c.ends_on >= ${day}::date))`;
}

/**
 * A contract runs on `day` (ISO date): begun on or before it, not ended before it, not
 * archived. An ORM filter on Contract (spread it into a `contracts: {...}` condition too);
 * the SQL version of the same rule is contractRuns above.
 */
export function runningContractOn(day: string) {
  return { archivedAt: null, startsOn: { $lte: day }, $or: [{ endsOn: null }, { endsOn: { $gte: day } }] };
}

/** runningContractOn for a loaded contract. */
export function runsOn(contract: { archivedAt?: Date | null; startsOn: string; endsOn?: string | null }, day: string): boolean {
  return !contract.archivedAt && contract.startsOn <= day && (!contract.endsOn || contract.endsOn >= day);
}

/**
 * Contract `c` of contact `ct` on unit `u` is a commercial tenancy: a company renting a
 * commercial unit ("Gewerbe"). Such a tenant is a Mieter for sharing, shows as "Gewerbe",
 * and may invite its employees as Gewerbemitarbeiter while the contract runs.
 */
export const commercialTenancy = sql`(c.kind = 'rental' and u.kind = 'commercial' and ct.type = 'company')`;

/**
 * commercialTenancy for a loaded contract and one of its contacts (its unit loaded): the role
 * staff see beside the contact, console:contractKinds.<role> ("Gewerbe" instead of "Mieter").
 */
export function contractRoleOf(contract: { kind: string; unit?: { kind?: string } | null }, contact: { type: string }): string {
  return contract.kind === 'rental' && contract.unit?.kind === 'commercial' && contact.type === 'company' ? 'commercial' : contract.kind;
}

/**
 * A Gewerbemitarbeiter's membership `m` counts while its company has a commercial tenancy
 * running at the property on `day` (memberships without a company: as they are).
 */
function companyTenancyRuns(day: string) {
  return sql`(m.company_contact_id is null or exists (
    select 1 from contract_contact cc
    join contract c on c.id = cc.contract_id
    join unit u on u.id = c.unit_id and u.archived_at is null
    join contact ct on ct.id = cc.contact_id and ct.archived_at is null
    where cc.contact_id = m.company_contact_id and u.property_id = m.property_id and ${commercialTenancy} and ${contractRuns(day)}))`;
}

/**
 * The rule itself, as one set-based query: a row per (portal user, property) with access
 * on `day`, from the contracts inside the window and the memberships, grouped once.
 * `narrow` (a condition on `pu`, the portal user) limits it to one user on every portal
 * request; without it, it covers the whole Verwaltung (the access-window job, recipients).
 * Plain SQL is not reached by the tenant filter: the Verwaltung is an explicit condition
 * on every table that leads to a property.
 */
export function accessRowsQuery(organizationId: string, day: string, narrow: RawBuilder<unknown>) {
  return sql<AccessRow>`
    with windows as (${windowsOf(organizationId)}),
    grounds as (
      select puc.portal_user_id, u.property_id, c.kind::text as kind, puc.contact_id, ${contractRuns(day)} as running, null::text as role,
        u.id as unit_id, u.address_id,
        exists (select 1 from advisory_board_member b where b.contact_id = puc.contact_id and b.property_id = u.property_id) as board,
        ${commercialTenancy} as commercial
      from portal_user_contact puc
      join portal_user pu on pu.id = puc.portal_user_id and pu.organization_id = ${organizationId}
      join contact ct on ct.id = puc.contact_id and ct.organization_id = ${organizationId} and ct.archived_at is null
      join contract_contact cc on cc.contact_id = puc.contact_id
      join contract c on c.id = cc.contract_id
      join unit u on u.id = c.unit_id and u.archived_at is null
      cross join windows w
      where ${contractInWindow(day)} ${narrow}
      union all
      select m.portal_user_id, m.property_id, null, null, false, m.role::text, null, null, false, false
      from portal_membership m
      join portal_user pu on pu.id = m.portal_user_id and pu.organization_id = ${organizationId}
      where m.ended_at is null and ${companyTenancyRuns(day)} ${narrow}
      union all
      -- A Dienstleister's login: every property its Dienstleister serves (src/features/orders/access.ts).
      select spm.portal_user_id, spp.property_id, null, null, false, 'service_provider', null, null, false, false
      from service_provider_member spm
      join portal_user pu on pu.id = spm.portal_user_id and pu.organization_id = ${organizationId}
      join service_provider sp on sp.id = spm.provider_id and sp.organization_id = ${organizationId} and sp.archived_at is null
      join service_provider_property spp on spp.service_provider_id = sp.id
      where spm.ended_at is null ${narrow}
      union all
      select puc.portal_user_id, po.property_id, null, puc.contact_id, false, 'property_owner', null, null, false, false
      from portal_user_contact puc
      join portal_user pu on pu.id = puc.portal_user_id and pu.organization_id = ${organizationId}
      join contact ct on ct.id = puc.contact_id and ct.organization_id = ${organizationId} and ct.archived_at is null
      join property_owner_link po on po.contact_id = puc.contact_id and po.organization_id = ${organizationId} and po.archived_at is null
      where true ${narrow}
    )
    select g.portal_user_id, g.property_id,
      coalesce(array_agg(distinct g.kind) filter (where g.kind is not null and g.running), '{}') as active_kinds,
      coalesce(array_agg(distinct g.kind) filter (where g.kind is not null and not g.running), '{}') as window_kinds,
      coalesce(array_agg(distinct g.contact_id) filter (where g.contact_id is not null), '{}') as contact_ids,
      coalesce(array_agg(distinct g.role) filter (where g.role is not null), '{}') as member_roles,
      coalesce(array_agg(distinct g.unit_id) filter (where g.running), '{}') as active_unit_ids,
      coalesce(array_agg(distinct g.address_id) filter (where g.running and g.address_id is not null), '{}') as active_address_ids,
      coalesce(bool_or(g.board and g.running), false) as board,
      coalesce(array_agg(distinct g.contact_id) filter (where g.commercial and g.running), '{}') as commercial_contact_ids,
      coalesce(bool_or(g.commercial), false) as rental_commercial,
      coalesce(bool_or(g.kind = 'rental' and not g.commercial), false) as rental_private
    from grounds g
    join property p on p.id = g.property_id and p.organization_id = ${organizationId} and p.archived_at is null
    group by g.portal_user_id, g.property_id`;
}

/**
 * The contact-level counterpart of accessRowsQuery: what a *contact* would see as a portal
 * user, whether or not anyone has a login for it — who is addressed on paper (the "Nicht
 * erreicht" letters, src/features/documents/receipts.ts). A row per (contact, property), the
 * same columns as an access row, from the same grounds: contracts inside the access window
 * (`running` tells the ones that run on `day`), the Beirat next to a running contract, and
 * the Hausbesitzer link. Memberships (Bewohner, Gewerbemitarbeiter, Dienstleister) belong to
 * a portal user, not to a contact: they have no contact row and are never addressed on paper.
 * `narrow` is a condition on `ct`, the contact.
 */
export function contactAccessRowsQuery(organizationId: string, day: string, narrow: RawBuilder<unknown>) {
  return sql<Omit<AccessRow, 'portal_user_id'> & { contact_id: string }>`
    with windows as (${windowsOf(organizationId)}),
    grounds as (
      select ct.id as contact_id, u.property_id, c.kind::text as kind, ${contractRuns(day)} as running, null::text as role,
        u.id as unit_id, u.address_id,
        exists (select 1 from advisory_board_member b where b.contact_id = ct.id and b.property_id = u.property_id) as board,
        ${commercialTenancy} as commercial
      from contact ct
      join contract_contact cc on cc.contact_id = ct.id
      join contract c on c.id = cc.contract_id
      join unit u on u.id = c.unit_id and u.archived_at is null
      cross join windows w
      where ct.organization_id = ${organizationId} and ct.archived_at is null and ${contractInWindow(day)} ${narrow}
      union all
      select ct.id, po.property_id, null, false, 'property_owner', null, null, false, false
      from contact ct
      join property_owner_link po on po.contact_id = ct.id and po.organization_id = ${organizationId} and po.archived_at is null
      where ct.organization_id = ${organizationId} and ct.archived_at is null ${narrow}
    )
    select g.contact_id, g.property_id,
      coalesce(array_agg(distinct g.kind) filter (where g.kind is not null and g.running), '{}') as active_kinds,
      coalesce(array_agg(distinct g.kind) filter (where g.kind is not null and not g.running), '{}') as window_kinds,
      array[g.contact_id] as contact_ids,
      coalesce(array_agg(distinct g.role) filter (where g.role is not null), '{}') as member_roles,
      coalesce(array_agg(distinct g.unit_id) filter (where g.running), '{}') as active_unit_ids,
      coalesce(array_agg(distinct g.address_id) filter (where g.running and g.address_id is not null), '{}') as active_address_ids,
      coalesce(bool_or(g.board and g.running), false) as board,
      coalesce(array_agg(distinct g.contact_id) filter (where g.commercial and g.running), '{}') as commercial_contact_ids,
      coalesce(bool_or(g.commercial), false) as rental_commercial,
      coalesce(bool_or(g.kind = 'rental' and not g.commercial), false) as rental_private
    from grounds g
    join property p on p.id = g.property_id and p.organization_id = ${organizationId} and p.archived_at is null
    group by g.contact_id, g.property_id`;
}

function rolesOf(row: AccessRow) {
  const activeKinds = new Set(row.active_kinds.map((kind) => ROLE_OF_CONTRACT[kind]));
  const allKinds = new Set([...row.active_kinds, ...row.window_kinds].map((kind) => ROLE_OF_CONTRACT[kind]));
  // Beirat is a role only next to a running contract there: it never opens a property by itself.
  const members = new Set<PortalRole>([...row.member_roles, ...(row.board ? (['advisory_board'] as const) : [])]);
  const ordered = (set: Set<PortalRole>) => PORTAL_ROLES.filter((role) => set.has(role));
  const roles = ordered(new Set([...allKinds, ...members]));
  return {
    roles,
    activeRoles: ordered(new Set([...activeKinds, ...members])),
    shownRoles: roles.flatMap((role): ShownRole[] =>
      role !== 'tenant' ? [role] : [...(row.rental_private ? (['tenant'] as const) : []), ...(row.rental_commercial ? (['commercial_tenant'] as const) : [])],
    ),
  };
}

/**
 * Every property the user may see at `at`, with roles and what reaches them there, by name.
 * The answer is cached per user and Berlin day for a short time (./cache.ts): rows, not
 * entities, so each request maps them into its own EntityManager.
 */
export async function accessibleProperties(em: Em, user: PortalUser, at: Date): Promise<PropertyAccess[]> {
  return (await accessRowsOf(em, user, at)).map((row) => accessOfRow(em, row));
}

/** The rows of the rule for one user (cached, see accessibleProperties), in the properties' German order. */
async function accessRowsOf(em: Em, user: PortalUser, at: Date) {
  const organizationId = user.organization.id;
  const day = berlinDate(at);
  // Every portal request asks this, so it is one plain query (hydrating contacts, contracts,
  // units and properties as entities cost ~9 ms of CPU per request, test/bench).
  return cachedAccessRows(em, { organizationId, portalUserId: user.id, day }, async () => {
    const { rows } = await sql<AccessRow & Record<string, unknown>>`
      select p.*, a.active_kinds, a.window_kinds, a.contact_ids, a.member_roles, a.active_unit_ids, a.active_address_ids, a.board,
        a.commercial_contact_ids, a.rental_commercial, a.rental_private
      from (${accessRowsQuery(organizationId, day, sql`and pu.id = ${user.id}`)}) a
      join property p on p.id = a.property_id`.execute(em.getKysely());
    return rows.sort((a, b) => germanOrder(String(a.name), String(b.name)));
  });
}

/** A cached row of the rule with its property mapped into this request's EntityManager. */
function accessOfRow(em: Em, row: AccessRow & Record<string, unknown>): PropertyAccess {
  const {
    active_kinds,
    window_kinds,
    contact_ids,
    member_roles,
    active_unit_ids,
    active_address_ids,
    board,
    commercial_contact_ids,
    rental_commercial,
    rental_private,
    portal_user_id,
    property_id,
    ...property
  } = row;
  // em.map takes the copy made by the rest pattern above: the cached row stays as read.
  return accessOf(row, em.map(Property, property));
}

/** A row of the rule (accessRowsQuery) as what its user sees in `property`. */
function accessOf(row: AccessRow, property: Property): PropertyAccess {
  const { roles, activeRoles, shownRoles } = rolesOf(row);
  return {
    property,
    roles,
    shownRoles,
    commercialContactIds: [...row.commercial_contact_ids],
    activeRoles,
    // A Dienstleister's role alone reaches no general content (src/features/orders/access.ts).
    seesGeneralContent: reachesGeneralContent(activeRoles),
    // A membership alone never reaches individually shared content.
    // Copies: the row may be a cached one (./cache.ts) that other requests read too.
    contactIds: [...row.contact_ids],
    unitIds: [...row.active_unit_ids],
    addressIds: [...row.active_address_ids],
  };
}

/** The user's access to one property, or null when they may not see it. */
export async function propertyAccess(em: Em, user: PortalUser, propertyId: string, at: Date): Promise<PropertyAccess | null> {
  // Only the property asked for becomes an entity (a resident may see several).
  const row = (await accessRowsOf(em, user, at)).find((r) => r.id === propertyId);
  return row ? accessOfRow(em, row) : null;
}

/**
 * The access of each of these users to one property at `at`, by user id (a user without
 * access there is missing): propertyAccess for many users at once, one query for all of them
 * (who of a Vorgang's residents still sees it: src/features/tickets/access.ts).
 */
export async function propertyAccessOfUsers(
  em: Em,
  organizationId: string,
  property: Property,
  userIds: string[],
  at: Date,
): Promise<Map<string, PropertyAccess>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await sql<AccessRow>`
    select * from (${accessRowsQuery(organizationId, berlinDate(at), sql`and pu.id in (${sql.join(userIds)})`)}) a
    where a.property_id = ${property.id}`.execute(em.getKysely());
  return new Map(rows.map((row) => [row.portal_user_id, accessOf(row, property)]));
}

/** What the read-only preview of a property shows: general content, nothing individual (SPEC "Vorschau"). */
export function previewAccess(property: Property): PropertyAccess {
  return {
    property,
    roles: [],
    shownRoles: [],
    commercialContactIds: [],
    activeRoles: [],
    seesGeneralContent: true,
    contactIds: [],
    unitIds: [],
    addressIds: [],
  };
}

/**
 * Every (portal user, property) pair with access in the Verwaltung at `at`, whether the
 * user has registered yet or not. Used by the access-window job (./windows.ts).
 */
export async function accessPairs(
  em: Em,
  organizationId: string,
  at: Date,
): Promise<Array<{ portalUserId: string; propertyId: string; seesGeneralContent: boolean; activeRoles: PortalRole[] }>> {
  const { rows } = await accessRowsQuery(organizationId, berlinDate(at), sql``).execute(em.getKysely());
  return rows.map((row) => {
    const { activeRoles } = rolesOf(row);
    return { portalUserId: row.portal_user_id, propertyId: row.property_id, seesGeneralContent: reachesGeneralContent(activeRoles), activeRoles };
  });
}

/**
 * The registered, enabled portal users who see general content of any of these properties
 * at `at` (`'all'`: any property of the Verwaltung) — the recipients of a Mitteilung, a
 * Termin or a notice board post. Each user once, however many units or contacts they have.
 * Contracts inside an access window do not count: general content does not reach them.
 */
export async function portalUsersWithAccess(em: Em, properties: string[] | 'all', at: Date): Promise<PortalUser[]> {
  if (properties !== 'all' && properties.length === 0) return [];
  const organizationId = scopedOrganization(em);
  const pairs = await accessPairs(em, organizationId, at);
  const wanted = properties === 'all' ? null : new Set(properties);
  const ids = [...new Set(pairs.filter((p) => p.seesGeneralContent && (!wanted || wanted.has(p.propertyId))).map((p) => p.portalUserId))];
  if (ids.length === 0) return [];
  return em.find(PortalUser, { id: { $in: ids }, disabledAt: null, passwordHash: { $ne: null } }, { orderBy: { email: 'asc' } });
}

/**
 * Contacts (registered or not) whose contract lies inside the access window on `at`, by
 * property: who may be invited ("Kontakt einladen", seed 002) and whom individual shares
 * reach. `running` tells a contract that runs today from one inside a window only.
 */
export async function contactsInAccessWindow(
  em: Em,
  organizationId: string,
  at: Date,
  scope: { contactIds: string[] } | { propertyId: string },
): Promise<Array<{ contactId: string; propertyId: string; running: boolean }>> {
  if ('contactIds' in scope && scope.contactIds.length === 0) return [];
  const day = berlinDate(at);
  const narrow = 'contactIds' in scope ? sql`and ct.id in (${sql.join(scope.contactIds)})` : sql`and u.property_id = ${scope.propertyId}`;
  const { rows } = await sql<{ contact_id: string; property_id: string; running: boolean }>`
    with windows as (${windowsOf(organizationId)})
    select ct.id as contact_id, u.property_id, bool_or(${contractRuns(day)}) as running
    from contact ct
    join contract_contact cc on cc.contact_id = ct.id
    join contract c on c.id = cc.contract_id
    join unit u on u.id = c.unit_id and u.archived_at is null
    join property p on p.id = u.property_id and p.archived_at is null
    cross join windows w
    where ct.organization_id = ${organizationId} and ct.archived_at is null and ${contractInWindow(day)}
      ${narrow}
    group by ct.id, u.property_id`.execute(em.getKysely());
  return rows.map((row) => ({ contactId: row.contact_id, propertyId: row.property_id, running: row.running }));
}

/** Those of the given contacts with a contract inside the access window on `at` (any property). */
export async function contactsWithinAccessWindow<T extends { id: string }>(em: Em, contacts: T[], at: Date): Promise<T[]> {
  const rows = await contactsInAccessWindow(em, scopedOrganization(em), at, { contactIds: contacts.map((c) => c.id) });
  const inWindow = new Set(rows.map((row) => row.contactId));
  return contacts.filter((c) => inWindow.has(c.id));
}

/**
 * The properties where this contact has a commercial tenancy (commercialTenancy) running on
 * `at`: where it may invite Gewerbemitarbeiter, and where their invitations still hold
 * (src/features/commercial). The portal side reads the same from PropertyAccess.commercialContactIds.
 */
export async function commercialTenancyProperties(em: Em, organizationId: string, contactId: string, at: Date): Promise<string[]> {
  const { rows } = await sql<{ property_id: string }>`
    select distinct u.property_id
    from contact ct
    join contract_contact cc on cc.contact_id = ct.id
    join contract c on c.id = cc.contract_id
    join unit u on u.id = c.unit_id and u.archived_at is null
    join property p on p.id = u.property_id and p.archived_at is null and p.organization_id = ${organizationId}
    where ct.organization_id = ${organizationId} and ct.id = ${contactId} and ct.archived_at is null
      and ${commercialTenancy} and ${contractRuns(berlinDate(at))}`.execute(em.getKysely());
  return rows.map((row) => row.property_id);
}
