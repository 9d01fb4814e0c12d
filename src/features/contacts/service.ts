import { raw } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { Contact } from '../../entities/index.ts';
import { escapeLike, likePattern, PAGE_SIZE } from '../properties/service.ts';

const BY_NAME = { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' } as const;

/**
 * The Kontakte list: search in names, company, e-mail; paged, sorted by name. When searching,
 * contacts whose (last or company) name starts with the term come first.
 *
 * That first sort key also matters for speed: ordered by the name alone, PostgreSQL walks the
 * (organization, last_name) index and tests every row until the page is full, which reads most
 * of the table when the matches sort late. Ordered by an expression no index provides, it
 * fetches the matches through the trigram indexes (src/entities/contact.ts) and sorts only them.
 */
export async function searchContacts(em: Em, q: string, page: number) {
  const term = q.trim();
  const pattern = likePattern(term);
  const where = term
    ? {
        archivedAt: null,
        $or: [
          { lastName: { $ilike: pattern } },
          { firstName: { $ilike: pattern } },
          { companyName: { $ilike: pattern } },
          { email: { $ilike: pattern } },
        ],
      }
    : { archivedAt: null };
  const orderBy = term
    ? [{ [raw((alias: string) => `(coalesce(${alias}.last_name, ${alias}.company_name) ilike ?)`, [`${escapeLike(term)}%`])]: 'desc' as const }, BY_NAME]
    : BY_NAME;
  const [contacts, total] = await em.findAndCount(Contact, where, {
    orderBy,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return { contacts, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}
