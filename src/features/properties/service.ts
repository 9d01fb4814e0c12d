import { raw } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { Address, Contract, contactDisplayName, Property, Unit, type Contact } from '../../entities/index.ts';

export const PAGE_SIZE = 50;

/** Escapes % and _ so a search for "50%" means the text, not a pattern. */
export function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern for "contains q". */
export function likePattern(q: string): string {
  return `%${escapeLike(q)}%`;
}

/**
 * The Liegenschaften list of the current Verwaltung: search in name, street, postcode and
 * city; one page at a time. Three queries whatever the page size (no N+1).
 */
export async function searchProperties(em: Em, q: string, page: number) {
  const term = q.trim();
  let where: object = { archivedAt: null };
  if (term) {
    const pattern = likePattern(term);
    const viaAddress = await em.find(
      Address,
      { $or: [{ street: { $ilike: pattern } }, { city: { $ilike: pattern } }, { postalCode: { $ilike: pattern } }] },
      { fields: ['property'], limit: 5000 },
    );
    const ids = [...new Set(viaAddress.map((a) => a.property.id))];
    where = { archivedAt: null, $or: [{ name: { $ilike: pattern } }, ...(ids.length ? [{ id: { $in: ids } }] : [])] };
  }
  const [properties, total] = await em.findAndCount(Property, where, {
    orderBy: { name: 'asc', id: 'asc' },
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    populate: ['addresses'],
  });
  const unitCounts = await countUnits(em, properties.map((p) => p.id));
  return {
    rows: properties.map((property) => ({ property, units: unitCounts.get(property.id) ?? 0 })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
  };
}

/** Units per property, in one grouped query over ids that were already scoped. */
async function countUnits(em: Em, propertyIds: string[]): Promise<Map<string, number>> {
  if (propertyIds.length === 0) return new Map();
  const rows = await em
    .createQueryBuilder(Unit, 'u')
    .select(['u.property', raw('count(*) as count')])
    .where({ property: { $in: propertyIds }, archivedAt: null })
    .groupBy('u.property')
    .execute<{ property: string; count: string }[]>('all');
  return new Map(rows.map((r) => [r.property, Number(r.count)]));
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
