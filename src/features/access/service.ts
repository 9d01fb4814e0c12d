import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { sql } from 'kysely';
import { PortalUser, Property } from '../../entities/index.ts';

/**
 * The one answer to "which properties may this portal user see right now, and as what?".
 * Every portal route goes through it (src/features/portal/routes.ts → loadPortalProperty).
 *
 * Today a property is visible while one of the user's contacts has a contract on a unit of
 * it that runs on the given day (Berlin calendar). Later rules widen this one function:
 * access windows before start / after end, Bewohner invited by neighbours.
 */
export type PortalRole = 'tenant' | 'owner';

export type PropertyAccess = { property: Property; roles: PortalRole[] };

const ROLE_OF_CONTRACT = { rental: 'tenant', ownership: 'owner' } as const;

export async function accessibleProperties(em: Em, user: PortalUser, at: Date): Promise<PropertyAccess[]> {
  const day = berlinDate(at);
  // Every portal request asks this, so it is one plain query (hydrating contacts, contracts,
  // units and properties as entities cost ~9 ms of CPU per request, test/bench). Plain SQL
  // is not reached by the tenant filter: the user's Verwaltung is the first condition.
  const { rows } = await sql<Record<string, unknown> & { contract_kinds: Array<keyof typeof ROLE_OF_CONTRACT> }>`
    select p.*, array_agg(distinct c.kind) as contract_kinds
    from portal_user_contact puc
    join contract_contact cc on cc.contact_id = puc.contact_id
    join contract c on c.id = cc.contract_id
    join unit u on u.id = c.unit_id and u.archived_at is null
    join property p on p.id = u.property_id and p.archived_at is null
    where puc.portal_user_id = ${user.id} and p.organization_id = ${user.organization.id}
      and c.starts_on <= ${day} and (c.ends_on is null or c.ends_on >= ${day})
    group by p.id`.execute(em.getKysely());
  return rows
    .map(({ contract_kinds, ...property }) => ({
      property: em.map(Property, property),
      roles: (['tenant', 'owner'] as const).filter((role) => contract_kinds.some((kind) => ROLE_OF_CONTRACT[kind] === role)),
    }))
    .sort((a, b) => a.property.name.localeCompare(b.property.name, 'de'));
}

/** The user's access to one property, or null when they may not see it. */
export async function propertyAccess(em: Em, user: PortalUser, propertyId: string, at: Date): Promise<PropertyAccess | null> {
  const all = await accessibleProperties(em, user, at);
  return all.find((a) => a.property.id === propertyId) ?? null;
}

/**
 * The registered portal users who may see any of these properties at the given moment
 * (`'all'`: any property of the Verwaltung) — the recipients of a Mitteilung, a Termin or a
 * notice board post. Each user once, however many units or contacts they have there.
 * Uses the same rule as accessibleProperties; keep the two together.
 */
export async function portalUsersWithAccess(em: Em, properties: string[] | 'all', at: Date): Promise<PortalUser[]> {
  if (properties !== 'all' && properties.length === 0) return [];
  const day = berlinDate(at);
  return em.find(
    PortalUser,
    {
      disabledAt: null,
      passwordHash: { $ne: null },
      contacts: {
        contracts: {
          startsOn: { $lte: day },
          $or: [{ endsOn: null }, { endsOn: { $gte: day } }],
          unit: { archivedAt: null, property: properties === 'all' ? { archivedAt: null } : { id: { $in: properties }, archivedAt: null } },
        },
      },
    },
    { orderBy: { email: 'asc' } },
  );
}
