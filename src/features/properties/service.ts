import { sql, type RawBuilder } from 'kysely';
import { direction, likePattern, pageCount, pageTotal, PAGE_SIZE, type ListSort } from '../../http/paging.ts';
import type { Em } from '../../db/orm.ts';
import { runningContractOn } from '../access/service.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Address, Contract, contactDisplayName, Unit, type Contact, type Property } from '../../entities/index.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

export type PropertyListRow = { id: string; name: string; kind: string; addresses: string; units: number; archived: boolean };

/** The columns the Liegenschaften list sorts by (?sortierung=name, -einheiten, ...). */
export const PROPERTY_SORTS = ['name', 'art', 'einheiten'] as const;
export type PropertySort = ListSort<(typeof PROPERTY_SORTS)[number]>;
export const PROPERTY_SORT_DEFAULT: PropertySort = { key: 'name', descending: false };

const PROPERTY_ORDER = {
  name: (dir: RawBuilder<unknown>) => sql`p.name ${dir}, p.id ${dir}`,
  art: (dir: RawBuilder<unknown>) => sql`p.kind ${dir}, p.name, p.id`,
  einheiten: (dir: RawBuilder<unknown>) => sql`units ${dir}, p.name, p.id`,
};

/**
 * The Liegenschaften list of a Verwaltung: search in name, street, postcode and city; one
 * page at a time, in ONE query that returns plain rows (addresses and unit count as
 * sub-selects, the total as a window count). This is the busiest page of the console, and
 * building it from hydrated entities cost four queries and several milliseconds of CPU
 * (test/bench). Plain SQL is not reached by the tenant filter, so the Verwaltung the
 * EntityManager is scoped to (scopedOrganization) is the first condition of the query.
 * Archived properties (and addresses) only with `archived`.
 */
export async function searchProperties(em: Em, q: string, page: number, options: { sort?: PropertySort; archived?: boolean } = {}) {
  const organizationId = scopedOrganization(em);
  const term = q.trim();
  const pattern = likePattern(term);
  const sort = options.sort ?? PROPERTY_SORT_DEFAULT;
  const live = options.archived ? sql`` : sql`and p.archived_at is null`;
  const matches = term
    ? // The matching addresses' properties as one list (array(...)), asked once: with a
      // correlated EXISTS the generic plan walked the (organization, name) index through all
      // 1,000 properties, fetching each row to test it (1,000 buffers, 3.6 → 2.0 ms).
      sql`and (p.name ilike ${pattern} or p.id = any(array(select a.property_id from address a
        where a.organization_id = ${organizationId} and a.archived_at is null
          and (a.street ilike ${pattern} or a.city ilike ${pattern} or a.postal_code ilike ${pattern}))))`
    : sql``;
  const { rows } = await sql<PropertyListRow & { total: string }>`
    select p.id, p.name, p.kind, p.archived_at is not null as archived,
      coalesce((select string_agg(a.street || ' ' || a.house_number || ', ' || a.postal_code || ' ' || a.city, ' · '
                order by a.street, a.house_number) from address a where a.property_id = p.id and a.archived_at is null), '') as addresses,
      (select count(*) from unit u where u.property_id = p.id and u.archived_at is null)::int as units,
      count(*) over () as total
    from property p
    where p.organization_id = ${organizationId} ${live} ${matches}
    order by ${PROPERTY_ORDER[sort.key](direction(sort))}
    limit ${sql.lit(PAGE_SIZE)} ${offsetSql((page - 1) * PAGE_SIZE)}`.execute(em.getKysely());
  const total = await pageTotal(
    rows,
    async () =>
      (await sql<{ n: string }>`select count(*) as n from property p where p.organization_id = ${organizationId} ${live} ${matches}`.execute(em.getKysely()))
        .rows[0].n,
  );
  return { rows: rows.map(({ total: _total, ...row }) => row), total, page, pages: pageCount(total) };
}

/**
 * The ids of a Verwaltung's properties whose name or an address (street and number,
 * postcode, city) contains `term`: the Liegenschaft search field of the Vorgänge and
 * Einheiten lists, which replaced a select of up to 1,000 options (issue 16). A sub-select
 * for `property_id in (...)`; the Verwaltung is its first condition.
 */
export function propertiesMatching(organizationId: string, term: string): RawBuilder<unknown> {
  const pattern = likePattern(term.trim());
  return sql`select pm.id from property pm where pm.organization_id = ${organizationId} and (pm.name ilike ${pattern}
    or exists (select 1 from address am where am.property_id = pm.id and am.archived_at is null
      and (am.street || ' ' || am.house_number ilike ${pattern} or am.postal_code ilike ${pattern} or am.city ilike ${pattern})))`;
}

/** A property's overview figures. */
export async function propertyOverview(em: Em, property: Property, today: string) {
  const [addresses, units, activeContracts] = await Promise.all([
    em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    em.count(Unit, { property, archivedAt: null }),
    em.count(Contract, { unit: { property }, ...runningContractOn(today) }),
  ]);
  return { addresses, units, activeContracts };
}

export type UnitRow = {
  id: string;
  number: string;
  kind: string;
  areaSqm: number | null;
  location: string;
  contracts: Array<{ kind: 'rental' | 'ownership'; startsOn: string; endsOn: string | null; people: string[] }>;
};

type PersonJson = { type: string; companyName: string | null; title: string | null; firstName: string | null; lastName: string | null };

/**
 * Units of a property with their contracts and the names of the people on them ("Einheiten"
 * tab), newest contract first: one query returning plain rows, contracts and people as JSON.
 * A large property has hundreds of units; hydrating units, contracts and contacts as entities
 * cost ~40 ms of CPU per request (test/bench). The Verwaltung (scopedOrganization) is
 * checked first, because plain SQL is not reached by the tenant filter.
 */
export async function propertyUnits(em: Em, propertyId: string): Promise<UnitRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<
    Omit<UnitRow, 'contracts'> & { areaSqm: string | null; contracts: Array<Omit<UnitRow['contracts'][number], 'people'> & { people: PersonJson[] }> }
  >`
    select u.id, u.number, u.kind, u.area_sqm as "areaSqm",
      concat_ws(' · ', nullif(u.floor, ''), a.street || ' ' || a.house_number) as location,
      coalesce((
        select json_agg(json_build_object(
          'kind', c.kind, 'startsOn', c.starts_on, 'endsOn', c.ends_on,
          'people', (select json_agg(json_build_object('type', k.type, 'companyName', k.company_name, 'title', k.title,
                       'firstName', k.first_name, 'lastName', k.last_name) order by k.last_name, k.first_name)
                     from contract_contact cc join contact k on k.id = cc.contact_id where cc.contract_id = c.id)
        ) order by c.starts_on desc)
        from contract c where c.unit_id = u.id and c.archived_at is null), '[]') as contracts
    from unit u left join address a on a.id = u.address_id
    where u.organization_id = ${organizationId} and u.property_id = ${propertyId} and u.archived_at is null
    order by u.number, u.id`.execute(em.getKysely());
  return rows.map((row) => ({
    ...row,
    areaSqm: row.areaSqm === null ? null : Number(row.areaSqm),
    contracts: row.contracts.map((c) => ({ ...c, people: (c.people ?? []).map((k) => contactDisplayName(k)) })),
  }));
}

/** Contacts with a contract in the property, with those contracts ("Kontakte" tab). */
export async function propertyContacts(em: Em, property: Property) {
  const contracts = await em.find(Contract, { unit: { property } }, { populate: ['contacts', 'unit'], orderBy: { unit: { number: 'asc' }, startsOn: 'desc' } });
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
