import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { Property } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';

/**
 * Shared by the FAQ and the Ansprechpartner (src/features/contact-persons), which work alike.
 *
 * Ordering of the small per-property-or-portfolio lists (FAQ entries here, Ansprechpartner in
 * src/features/contact-persons): a group is the entries of one property, or those without one
 * (the whole portfolio), ordered by `position`.
 */
type Ordered = { id: string; position: number; property?: { id: string } | null };

export type Direction = 'up' | 'down';

function groupWhere(propertyId: string | null) {
  return { property: propertyId } as never;
}

/** The position after the last entry of a group (for new entries and entries moved into it). */
export async function nextPosition<T extends Ordered>(em: Em, entity: EntityName<T>, propertyId: string | null): Promise<number> {
  const last = await em.findOne(entity, groupWhere(propertyId), { orderBy: { position: 'desc' } as never, fields: ['position'] as never });
  return last ? (last as T).position + 1 : 1;
}

/** Swaps an entry with its neighbour in its group and renumbers the group 1…n (seeded positions may repeat). */
export async function moveWithinGroup<T extends Ordered>(em: Em, entity: EntityName<T>, item: T, direction: Direction): Promise<void> {
  const group = (await em.find(entity, groupWhere(item.property?.id ?? null), { orderBy: { position: 'asc', id: 'asc' } as never })) as T[];
  const index = group.findIndex((e) => e.id === item.id);
  const target = direction === 'up' ? index - 1 : index + 1;
  if (index < 0 || target < 0 || target >= group.length) return;
  [group[index], group[target]] = [group[target], group[index]];
  group.forEach((entry, i) => {
    entry.position = i + 1;
  });
  await em.flush();
}

/** The value of the "Alle Liegenschaften" choice in the property select of these forms. */
export const ALL_PROPERTIES = 'alle';

/** The properties a form may choose from: the Verwaltung's current ones, by name. */
export function propertyChoices(em: Em) {
  return em.find(Property, { archivedAt: null }, { orderBy: { name: 'asc' }, fields: ['id', 'name'] });
}

/**
 * The property a form names, through the Verwaltung-scoped EntityManager: `null` for the whole
 * portfolio (when allowed), `undefined` when the value names nothing this Verwaltung has.
 */
export async function resolvePropertyChoice(em: Em, value: string, allowAll: boolean): Promise<Property | null | undefined> {
  if (allowAll && value === ALL_PROPERTIES) return null;
  if (!isUuid(value)) return undefined;
  return (await em.findOne(Property, { id: value, archivedAt: null })) ?? undefined;
}
