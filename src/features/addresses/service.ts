import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { direction, likePattern, listTotal, PAGE_SIZE, type ListSort } from '../../http/paging.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

export const ADDRESS_SORTS = ['strasse', 'ort', 'liegenschaft'] as const;
export type AddressSort = ListSort<(typeof ADDRESS_SORTS)[number]>;
export const ADDRESS_SORT_DEFAULT: AddressSort = { key: 'strasse', descending: false };

export type AddressListRow = {
  id: string;
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
  archived: boolean;
  erp: boolean;
  propertyId: string;
  propertyName: string;
};

const ADDRESS_ORDER = {
  strasse: (dir: ReturnType<typeof direction>) => sql`a.street ${dir}, a.house_number ${dir}, a.id`,
  ort: (dir: ReturnType<typeof direction>) => sql`a.city ${dir}, a.postal_code ${dir}, a.street, a.house_number, a.id`,
  liegenschaft: (dir: ReturnType<typeof direction>) => sql`p.name ${dir}, a.street, a.house_number, a.id`,
};

/**
 * The Adressen list of a Verwaltung: search in street, postcode, city and property name,
 * one page at a time in ONE query, the total beside it (listTotal: exact only for up to
 * 1,000 rows, see src/http/paging.ts). Plain SQL is
 * not reached by the tenant filter: the Verwaltung (scopedOrganization) is the first
 * condition. Archived addresses, and those of archived properties, only with `archived`.
 */
export async function searchAddresses(em: Em, options: { q: string; page: number; sort: AddressSort; archived?: boolean }) {
  const organizationId = scopedOrganization(em);
  const term = options.q.trim();
  const pattern = likePattern(term);
  const conditions = sql`a.organization_id = ${organizationId}
    ${options.archived ? sql`` : sql`and a.archived_at is null and p.archived_at is null`}
    ${term ? sql`and (a.street ilike ${pattern} or a.postal_code ilike ${pattern} or a.city ilike ${pattern} or p.name ilike ${pattern})` : sql``}`;
  const db = em.getKysely();
  const [{ rows }, total] = await Promise.all([
    sql<AddressListRow>`
    select a.id, a.street, a.house_number as "houseNumber", a.postal_code as "postalCode", a.city,
      a.archived_at is not null as archived, a.erp_synced_at is not null as erp,
      p.id as "propertyId", p.name as "propertyName"
    from address a join property p on p.id = a.property_id
    where ${conditions}
    order by ${ADDRESS_ORDER[options.sort.key](direction(options.sort))}
    limit ${sql.lit(PAGE_SIZE)} ${offsetSql((options.page - 1) * PAGE_SIZE)}`.execute(db),
    listTotal(db, sql`from address a join property p on p.id = a.property_id where ${conditions}`, options.page),
  ]);
  return { rows, ...total, page: options.page };
}
