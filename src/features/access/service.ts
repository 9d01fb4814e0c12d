import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { Contract, PortalUser, type Property } from '../../entities/index.ts';

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
  const contactIds = (await user.contacts.loadItems()).map((c) => c.id);
  if (contactIds.length === 0) return [];
  const contracts = await em.find(
    Contract,
    {
      contacts: { $in: contactIds },
      startsOn: { $lte: day },
      $or: [{ endsOn: null }, { endsOn: { $gte: day } }],
      unit: { archivedAt: null, property: { archivedAt: null } },
    },
    { populate: ['unit.property'] },
  );
  const byProperty = new Map<string, PropertyAccess>();
  for (const contract of contracts) {
    const property = contract.unit.property;
    const entry = byProperty.get(property.id) ?? { property, roles: [] };
    const role = ROLE_OF_CONTRACT[contract.kind];
    if (!entry.roles.includes(role)) entry.roles.push(role);
    byProperty.set(property.id, entry);
  }
  return [...byProperty.values()].sort((a, b) => a.property.name.localeCompare(b.property.name, 'de'));
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
