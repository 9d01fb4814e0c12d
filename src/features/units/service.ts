import { type RawBuilder, sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { runsOn } from '../access/service.ts';
import { propertiesMatching } from '../properties/service.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { Contract, contactDisplayName, type Contact, type Unit } from '../../entities/index.ts';
import { direction, likePattern, listTotal, PAGE_SIZE, searchedPage, type ListSort } from '../../http/paging.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

export const UNIT_SORTS = ['nummer', 'liegenschaft', 'art', 'flaeche'] as const;
export type UnitSort = ListSort<(typeof UNIT_SORTS)[number]>;
export const UNIT_SORT_DEFAULT: UnitSort = { key: 'nummer', descending: false };

export type UnitListRow = {
  id: string;
  number: string;
  kind: string;
  areaSqm: number | null;
  floor: string | null;
  archived: boolean;
  propertyId: string;
  propertyName: string;
  address: string | null;
  addressArchived: boolean;
};

/** A row as PostgreSQL sends it: numeric comes as text. */
type UnitRowAsRead = Omit<UnitListRow, 'areaSqm'> & { areaSqm: string | null };

const UNIT_ORDER = {
  nummer: (dir: ReturnType<typeof direction>) => sql`u.number ${dir}, u.id ${dir}`,
  liegenschaft: (dir: ReturnType<typeof direction>) => sql`p.name ${dir}, u.number, u.id`,
  art: (dir: ReturnType<typeof direction>) => sql`u.kind ${dir}, u.number, u.id`,
  flaeche: (dir: ReturnType<typeof direction>) => sql`u.area_sqm ${dir} nulls last, u.number, u.id`,
};

/**
 * The Einheiten list across all properties of a Verwaltung: search in the unit number (the
 * trigram index on unit.number) and the property name (one bitmap over both, see below), optionally one property (by id, or those whose name or address contains `propertyTerm`), one page
 * at a time in ONE query, and the total beside it (listTotal; with a term both come from one
 * statement, searchedPage: exact up to 1,000, else the
 * planner's estimate; a window count made PostgreSQL join every unit to its property and
 * address before cutting the page, 100 ms over 50,000 units). Plain SQL is not reached by the tenant filter: the Verwaltung
 * (scopedOrganization) is the first condition. Archived units, and units of archived properties, only with `archived`.
 */
export async function searchUnits(
  em: Em,
  options: { q: string; page: number; sort: UnitSort; propertyId?: string | null; propertyTerm?: string; archived?: boolean; exactUpTo?: number },
) {
  const organizationId = scopedOrganization(em);
  const term = options.q.trim();
  const pattern = likePattern(term);
  // The unit's own conditions apart from the property's, so that a search can find its units
  // first (below) and join the properties after.
  const unitConditions = sql`u.organization_id = ${organizationId}
    ${options.archived ? sql`` : sql`and u.archived_at is null`}
    ${options.propertyId ? sql`and u.property_id = ${options.propertyId}` : sql``}
    ${options.propertyTerm ? sql`and u.property_id in (${propertiesMatching(organizationId, options.propertyTerm)})` : sql``}
    ${
      term
        ? // The property's name as a list of its ids (array(...)), so both arms of the OR are
          // index conditions and PostgreSQL combines the trigram index on the number and the
          // property index in one bitmap (BitmapOr): one read of the matching units. The former
          // UNION of two lookups, joined back to unit by id, read 7,000 buffers for 1,000 matches.
          sql`and (u.number ilike ${pattern}
            or u.property_id = any(array(select p3.id from property p3 where p3.organization_id = ${organizationId} and p3.name ilike ${pattern})))`
        : sql``
    }`;
  const propertyConditions = options.archived ? sql`` : sql`and p.archived_at is null`;
  const db = em.getKysely();
  // The page, read from `from` (the unit table, or the matches of a term).
  const listed = (from: RawBuilder<unknown>, where: RawBuilder<unknown>) => sql<UnitRowAsRead>`
    select u.id, u.number, u.kind, u.area_sqm as "areaSqm", u.floor, u.archived_at is not null as archived,
      p.id as "propertyId", p.name as "propertyName",
      a.street || ' ' || a.house_number as address, coalesce(a.archived_at is not null, false) as "addressArchived"
    from ${from}
      join property p on p.id = u.property_id
      left join address a on a.id = u.address_id
    where ${where} ${propertyConditions}
    order by ${UNIT_ORDER[options.sort.key](direction(options.sort))}
    limit ${sql.lit(PAGE_SIZE)} ${offsetSql((options.page - 1) * PAGE_SIZE)}`;
  const everyUnit = sql`from unit u join property p on p.id = u.property_id where ${unitConditions} ${propertyConditions}`;
  const { rows, total } = term
    ? // With a term the matching units come first, on their own (materialized): left to itself
      // PostgreSQL walked the (organization, number, id) index in the list's order and tested
      // the term on every unit before the page was full (50 ms at 50,000 units). The page and
      // the count read them from there, in one statement (searchedPage): counted apart, the
      // ~1,000 units matching "Wohnung 003" were read twice (EXPLAIN 4.6 + 4.0 ms).
      await searchedPage<UnitRowAsRead>(
        db,
        {
          matches: sql`u as materialized (select u.* from unit u where ${unitConditions})`,
          countFrom: sql`from u join property p on p.id = u.property_id where true ${propertyConditions}`,
          page: listed(sql`u`, sql`true`),
          estimateFrom: everyUnit,
        },
        options.page,
        { exactUpTo: options.exactUpTo },
      )
    : await Promise.all([listed(sql`unit u`, unitConditions).execute(db), listTotal(db, everyUnit, options.page, { exactUpTo: options.exactUpTo })]).then(
        ([page, total]) => ({ rows: page.rows, total }),
      );
  return {
    rows: rows.map(({ areaSqm, ...row }) => ({ ...row, areaSqm: areaSqm === null ? null : Number(areaSqm) })),
    ...total,
    page: options.page,
  };
}

/**
 * The unit page's contracts, split into running, future and past (as of `today`), and the
 * unit's contacts with their roles: two queries, whatever the number of contracts.
 */
export async function unitContracts(em: Em, unit: Unit, today: string) {
  const contracts = await em.find(Contract, { unit, archivedAt: null }, { populate: ['contacts'], orderBy: { startsOn: 'desc', id: 'asc' } });
  const groups = { running: [] as Contract[], future: [] as Contract[], past: [] as Contract[] };
  const contacts = new Map<string, { contact: Contact; contracts: Contract[] }>();
  for (const contract of contracts) {
    const group = runsOn(contract, today) ? 'running' : contract.startsOn > today ? 'future' : 'past';
    groups[group].push(contract);
    for (const contact of contract.contacts) {
      const entry = contacts.get(contact.id) ?? { contact, contracts: [] };
      entry.contracts.push(contract);
      contacts.set(contact.id, entry);
    }
  }
  const collator = new Intl.Collator('de');
  return {
    groups,
    running: groups.running,
    contacts: [...contacts.values()].sort((a, b) => collator.compare(contactDisplayName(a.contact), contactDisplayName(b.contact))),
  };
}
