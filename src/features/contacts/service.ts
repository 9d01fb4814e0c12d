import { raw } from '@mikro-orm/core';
import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { Contact, Contract, Invitation, PortalUser, type Property } from '../../entities/index.ts';
import { invitationState } from '../invitations/codes.ts';
import { invitationProblem, portalStatuses, portalStatusFlags, portalStatusOf, type PortalStatus, type PortalStatusFlags } from '../invitations/service.ts';
import { direction, escapeLike, likePattern, listTotal, PAGE_SIZE, type ListSort } from '../../http/paging.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { germanOrder } from '../../intl.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

const BY_NAME = { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' } as const;

/** The columns the Kontakte list sorts by (?sortierung=name|ort|email, "-" for descending). */
export const CONTACT_SORTS = ['name', 'ort', 'email'] as const;
export type ContactSort = ListSort<(typeof CONTACT_SORTS)[number]>;
export const CONTACT_SORT_DEFAULT: ContactSort = { key: 'name', descending: false };

/** A row of the Kontakte list: plain columns, no entity (src/features/contacts/service.ts searchContacts). */
export type ContactListRow = {
  id: string;
  type: string;
  title: string | null;
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  city: string | null;
  contactPreference: string;
  archived: boolean;
  portalStatus: PortalStatus;
};

/**
 * The Kontakte list: search in names, company, e-mail; paged, sorted by name (or Ort,
 * E-Mail). When searching by name, contacts whose (last or company) name starts with the
 * term come first. Archived contacts only on request (`archived`), marked in the list.
 *
 * That first sort key also matters for speed: ordered by the name alone, PostgreSQL walks the
 * (organization, last_name) index and tests every row until the page is full, which reads most
 * of the table when the matches sort late. Ordered by an expression no index provides, it
 * fetches the matches through the trigram indexes (src/entities/contact.ts) and sorts only them.
 * Ort and E-Mail have no B-tree index: without a term, sorting by them is a top-N sort over
 * all contacts of the Verwaltung (about 35 ms more at 100,000 contacts, measured); with a
 * term the trigram indexes fetch the matches as above.
 *
 * Plain rows through Kysely with parameters, each with its portal status (the columns of
 * src/features/invitations/service.ts portalStatusFlags, computed for the page's rows only),
 * and the total beside it (listTotal: an estimate past 1,000 rows; an exact count(*) over
 * 100,000 contacts was most of the page's database time). Plain SQL is not reached by the
 * tenant filter: the Verwaltung (scopedOrganization) is the first condition.
 */
export async function searchContacts(em: Em, q: string, page: number, now: Date, options: { sort?: ContactSort; archived?: boolean; exactUpTo?: number } = {}) {
  const organizationId = scopedOrganization(em);
  const sort = options.sort ?? CONTACT_SORT_DEFAULT;
  const term = q.trim();
  const pattern = likePattern(term);
  const from = sql`from contact ct where ct.organization_id = ${organizationId}
    ${options.archived ? sql`` : sql`and ct.archived_at is null`}
    ${term ? sql`and (ct.last_name ilike ${pattern} or ct.first_name ilike ${pattern} or ct.company_name ilike ${pattern} or ct.email ilike ${pattern})` : sql``}`;
  const byName = (dir: RawBuilder<unknown>) => sql`ct.last_name ${dir}, ct.first_name ${dir}, ct.company_name ${dir}, ct.id ${dir}`;
  const asc = sql`asc`;
  const dir = direction(sort);
  const order =
    sort.key === 'ort'
      ? sql`ct.city ${dir} nulls last, ${byName(asc)}`
      : sort.key === 'email'
        ? sql`ct.email ${dir} nulls last, ${byName(asc)}`
        : term
          ? sql`(coalesce(ct.last_name, ct.company_name) ilike ${`${escapeLike(term)}%`}) desc, ${byName(dir)}`
          : byName(dir);
  const db = em.getKysely();
  // The page first, then the status columns for its 50 rows only.
  const [{ rows }, total] = await Promise.all([
    sql<Omit<ContactListRow, 'portalStatus'> & PortalStatusFlags>`
      select ct.*, ${portalStatusFlags(organizationId, now, sql.ref('ct.id'))}
      from (select ct.id, ct.type, ct.title, ct.first_name as "firstName", ct.last_name as "lastName", ct.company_name as "companyName",
              ct.email, ct.phone, ct.city, ct.contact_preference as "contactPreference", ct.archived_at is not null as archived
            ${from}
            order by ${order}
            limit ${sql.lit(PAGE_SIZE)} ${offsetSql((page - 1) * PAGE_SIZE)}) ct
      order by ${contactPageOrder(sort, term)}`.execute(db),
    listTotal(db, from, page, { exactUpTo: options.exactUpTo }),
  ]);
  const contacts: ContactListRow[] = rows.map(({ enabled, linked, invited, ...row }) => ({
    ...row,
    portalStatus: portalStatusOf({ enabled, linked, invited }),
  }));
  return { contacts, ...total, page, sort };
}

/**
 * The order of the page's rows in the outer query of searchContacts, the same as inside
 * but on the page's output columns (the search term's "starts with" first, then by name).
 */
function contactPageOrder(sort: ContactSort, term: string) {
  const dir = direction(sort);
  const byName = (d: RawBuilder<unknown>) => sql`ct."lastName" ${d}, ct."firstName" ${d}, ct."companyName" ${d}, ct.id ${d}`;
  if (sort.key === 'ort') return sql`ct.city ${dir} nulls last, ${byName(sql`asc`)}`;
  if (sort.key === 'email') return sql`ct.email ${dir} nulls last, ${byName(sql`asc`)}`;
  if (term) return sql`(coalesce(ct."lastName", ct."companyName") ilike ${`${escapeLike(term)}%`}) desc, ${byName(dir)}`;
  return byName(dir);
}

/** A search term's conditions: name, first name, company or e-mail contains it (the trigram indexes of src/entities/contact.ts). */
function termConditions(term: string) {
  const pattern = likePattern(term);
  return [{ lastName: { $ilike: pattern } }, { firstName: { $ilike: pattern } }, { companyName: { $ilike: pattern } }, { email: { $ilike: pattern } }];
}

/** Contacts whose (last or company) name starts with the term first (see searchContacts on why this order is also fast). */
function namesStartingFirst(term: string) {
  return { [raw((alias: string) => `(coalesce(${alias}.last_name, ${alias}.company_name) ilike ?)`, [`${escapeLike(term)}%`])]: 'desc' as const };
}

/**
 * Up to `limit` active contacts for a term (name, company, e-mail, or exactly the Externe ID),
 * those whose name starts with it first: the contact pickers of other forms (the Vertrag form,
 * SmartPost's "Kontakt für Brief"). With `propertyId` only contacts with a contract there that
 * is not archived. Never all 100,000: the Kontakte search's indexes and a limit.
 */
export async function findContacts(em: Em, term: string, options: { limit?: number; propertyId?: string | null } = {}): Promise<Contact[]> {
  const q = term.trim();
  if (!q) return [];
  return em.find(
    Contact,
    {
      archivedAt: null,
      $or: [...termConditions(q), { externalId: q }],
      ...(options.propertyId ? { contracts: { archivedAt: null, unit: { property: options.propertyId } } } : {}),
    },
    { orderBy: [namesStartingFirst(q), BY_NAME], limit: options.limit ?? 20 },
  );
}

/** The properties of a contact's contracts (running or not), each once, by name. */
export function propertiesOfContracts(contracts: Contract[]): Property[] {
  const byId = new Map(contracts.map((c) => [c.unit.property.id, c.unit.property]));
  return [...byId.values()].sort((a, b) => germanOrder(a.name, b.name));
}

/** The properties a contact has (had) a contract in: the "Liegenschaft" choice of the contact page's upload. */
export async function contactProperties(em: Em, contact: Contact): Promise<Property[]> {
  return propertiesOfContracts(await em.find(Contract, { contacts: contact.id }, { populate: ['unit', 'unit.property'] }));
}

/**
 * Everything the contact page shows: contracts with unit and property, the portal logins
 * linked to the contact, its portal status, whether it may be invited now (access window),
 * the invitation history and the letter PDF of the open invitation (a newer invitation
 * replaces the older one, so there is at most one).
 */
export async function contactDetail(em: Em, contact: Contact, now: Date) {
  const contracts = await em.find(Contract, { contacts: contact.id }, { populate: ['unit', 'unit.property'], orderBy: { startsOn: 'desc' } });
  const portalUsers = await em.find(PortalUser, { contacts: contact.id }, { orderBy: { email: 'asc' } });
  const invitations = await em.find(
    Invitation,
    { contact: contact.id },
    { populate: ['invitedByStaff', 'invitedByPortalUser'], orderBy: { createdAt: 'desc', id: 'asc' }, limit: 50 },
  );
  const status = (await portalStatuses(em, [contact.id], now)).get(contact.id) ?? 'not_invited';
  const invitationProblemNow = status === 'registered' || status === 'disabled' ? null : await invitationProblem(em, contact, now, status);
  const openLetter = invitations.find((i) => i.letterBatch && invitationState(i, now) === 'open');
  return {
    contracts,
    portalUsers,
    status,
    invitationProblem: invitationProblemNow,
    invitations: invitations.map((invitation) => ({ invitation, state: invitationState(invitation, now) })),
    letterBatchId: openLetter?.letterBatch?.id ?? null,
  };
}
