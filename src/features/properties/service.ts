import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { Address, Contract, contactDisplayName, Unit, type Contact, type Property } from '../../entities/index.ts';

export const PAGE_SIZE = 50;

/** Escapes % and _ so a search for "50%" means the text, not a pattern. */
export function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern for "contains q". */
export function likePattern(q: string): string {
  return `%${escapeLike(q)}%`;
}

export type PropertyListRow = { id: string; name: string; kind: string; addresses: string; units: number };

/**
 * The Liegenschaften list of a Verwaltung: search in name, street, postcode and city; one
 * page at a time, in ONE query that returns plain rows (addresses and unit count as
 * sub-selects, the total as a window count). This is the busiest page of the console, and
 * building it from hydrated entities cost four queries and several milliseconds of CPU
 * (test/bench). Plain SQL is not reached by the tenant filter, so the Verwaltung is a
 * parameter here and the first condition of the query.
 */
export async function searchProperties(em: Em, organizationId: string, q: string, page: number) {
  const term = q.trim();
  const pattern = likePattern(term);
  const matches = term
    ? sql`and (p.name ilike ${pattern} or exists (select 1 from address a where a.property_id = p.id
        and (a.street ilike ${pattern} or a.city ilike ${pattern} or a.postal_code ilike ${pattern})))`
    : sql``;
  const { rows } = await sql<PropertyListRow & { total: string }>`
    select p.id, p.name, p.kind,
      coalesce((select string_agg(a.street || ' ' || a.house_number || ', ' || a.postal_code || ' ' || a.city, ' · '
                order by a.street, a.house_number) from address a where a.property_id = p.id), '') as addresses,
      (select count(*) from unit u where u.property_id = p.id and u.archived_at is null)::int as units,
      count(*) over () as total
    from property p
    where p.organization_id = ${organizationId} and p.archived_at is null ${matches}
    order by p.name, p.id
    limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`.execute(em.getKysely());
  // A page past the end has no rows to carry the window count; count separately then.
  const total = rows.length > 0
    ? Number(rows[0].total)
    : Number((await sql<{ n: string }>`select count(*) as n from property p
        where p.organization_id = ${organizationId} and p.archived_at is null ${matches}`.execute(em.getKysely())).rows[0].n);
  return {
    rows: rows.map(({ total: _total, ...row }) => row),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/** A property's overview figures. */
export async function propertyOverview(em: Em, property: Property, today: string) {
  const [addresses, units, activeContracts] = await Promise.all([
    em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    em.count(Unit, { property, archivedAt: null }),
    em.count(Contract, { unit: { property }, startsOn: { $lte: today }, $or: [{ endsOn: null }, { endsOn: { $gte: today } }] }),
  ]);
  return { addresses, units, activeContracts };
}

/** Units of a property with their contracts (newest first) and contacts ("Einheiten" tab). */
export function propertyUnits(em: Em, property: Property) {
  // populateOrderBy sorts the contracts in their own query; in orderBy the contracts would be
  // joined into the unit query only to sort, returning each unit once per contract.
  return em.find(
    Unit,
    { property, archivedAt: null },
    { populate: ['address', 'contracts.contacts'], orderBy: { number: 'asc', id: 'asc' }, populateOrderBy: { contracts: { startsOn: 'desc' } } },
  );
}

/** Contacts with a contract in the property, with those contracts ("Kontakte" tab). */
export async function propertyContacts(em: Em, property: Property) {
  const contracts = await em.find(
    Contract,
    { unit: { property } },
    { populate: ['contacts', 'unit'], orderBy: { unit: { number: 'asc' }, startsOn: 'desc' } },
  );
  const byContact = new Map<string, { contact: Contact; contracts: Contract[] }>();
  for (const contract of contracts) {
    for (const contact of contract.contacts) {
      const entry = byContact.get(contact.id) ?? { contact, contracts: [] };
      entry.contracts.push(contract);
      byContact.set(contact.id, entry);
    }
  }
  // One collator for the whole sort: localeCompare(…, 'de') sets up the locale on every call.
  const collator = new Intl.Collator('de');
  return [...byContact.values()]
    .map((entry) => ({ entry, name: contactDisplayName(entry.contact) }))
    .sort((a, b) => collator.compare(a.name, b.name))
    .map(({ entry }) => entry);
}
