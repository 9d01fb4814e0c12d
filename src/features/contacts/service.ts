import type { Em } from '../../db/orm.ts';
import { Contact } from '../../entities/index.ts';
import { likePattern, PAGE_SIZE } from '../properties/service.ts';

/** The Kontakte list: search in names, company, e-mail; paged, sorted by last name. */
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
  const [contacts, total] = await em.findAndCount(Contact, where, {
    orderBy: { lastName: 'asc', firstName: 'asc', companyName: 'asc', id: 'asc' },
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return { contacts, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}
