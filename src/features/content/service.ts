import { addDays, startOfBerlinDay } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { Announcement, Appointment, BulletinPost } from '../../entities/index.ts';
import { germanOrder } from '../../intl.ts';

export const CONTENT_TYPES = ['announcement', 'appointment', 'bulletin'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export type ContentFilter = { type?: ContentType; propertyId?: string; from?: string; to?: string };

export type ContentRow = {
  type: ContentType;
  id: string;
  title: string;
  status: string;
  /** Publication day, or for appointments the day they take place. */
  date: Date | null;
  targets: string;
  href: string;
};

const LIMIT = 100;

/** Calendar-day bounds (Berlin) as instants; `to` is inclusive. */
function range(filter: ContentFilter) {
  const from = filter.from ? startOfBerlinDay(filter.from) : undefined;
  const to = filter.to ? startOfBerlinDay(addDays(filter.to, 1)) : undefined;
  return from || to ? { ...(from && { $gte: from }), ...(to && { $lt: to }) } : undefined;
}

/**
 * Everything published into the portals, newest first, filtered by type, property and
 * period: one query per content type (three at most), merged. "Alle Liegenschaften" content
 * counts for every property.
 */
export async function listContent(em: Em, filter: ContentFilter, allPropertiesLabel: string): Promise<ContentRow[]> {
  const dates = range(filter);
  const targeted = filter.propertyId ? { $or: [{ allProperties: true }, { properties: filter.propertyId }] } : {};
  const wanted = (type: ContentType) => !filter.type || filter.type === type;
  const targetsOf = (item: { allProperties: boolean; properties: { getItems(): { name: string }[] } }) =>
    item.allProperties
      ? allPropertiesLabel
      : item.properties
          .getItems()
          .map((p) => p.name)
          .join(', ');

  const [announcements, appointments, posts] = await Promise.all([
    wanted('announcement')
      ? em.find(Announcement, { ...targeted, ...(dates && { createdAt: dates }) }, { populate: ['properties'], orderBy: { createdAt: 'desc' }, limit: LIMIT })
      : [],
    wanted('appointment')
      ? em.find(Appointment, { ...targeted, ...(dates && { startsAt: dates }) }, { populate: ['properties'], orderBy: { startsAt: 'desc' }, limit: LIMIT })
      : [],
    wanted('bulletin')
      ? em.find(
          BulletinPost,
          { ...(filter.propertyId && { property: filter.propertyId }), ...(dates && { createdAt: dates }) },
          { populate: ['property'], orderBy: { createdAt: 'desc' }, limit: LIMIT },
        )
      : [],
  ]);
  const rows: ContentRow[] = [
    ...announcements.map((a) => ({
      type: 'announcement' as const,
      id: a.id,
      title: a.title,
      status: a.status,
      date: a.publishedAt ?? a.createdAt,
      targets: targetsOf(a),
      href: `/verwaltung/mitteilungen/${a.id}`,
    })),
    ...appointments.map((a) => ({
      type: 'appointment' as const,
      id: a.id,
      title: a.title,
      status: a.status,
      date: a.startsAt,
      targets: targetsOf(a),
      href: `/verwaltung/termine/${a.id}`,
    })),
    ...posts.map((p) => ({
      type: 'bulletin' as const,
      id: p.id,
      title: p.title,
      status: p.status,
      date: p.publishedAt ?? p.createdAt,
      targets: p.property.name,
      href: `/verwaltung/schwarzes-brett/${p.id}`,
    })),
  ];
  return rows.sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0) || germanOrder(a.title, b.title)).slice(0, LIMIT);
}
