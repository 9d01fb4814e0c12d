import type { Em } from '../../db/orm.ts';
import { Address, Contract, type Property } from '../../entities/index.ts';
import { latestAnnouncements } from '../announcements/service.ts';
import { upcomingAppointments } from '../appointments/service.ts';
import { latestBulletinPosts } from '../bulletin/service.ts';

/** How many entries of each kind the start page shows. */
export const START_PAGE_LIMIT = { announcements: 3, appointments: 3, bulletinPosts: 3 } as const;

/**
 * What the start page of a property shows: its addresses, the newest Mitteilungen, the next
 * Termine, the newest Schwarzes-Brett posts, and the resident's own units there, through the
 * contacts the access module names for this property (`access.contactIds`; none in the
 * preview, src/features/preview, and for Bewohner). Without
 * `generalContent` (access only inside a window, see seesGeneralContent in ./routes.ts)
 * nothing shared with the whole property is.
 */
export async function portalStartPage(em: Em, property: Property, contactIds: string[], now: Date, generalContent: boolean) {
  const [addresses, contracts, announcements, appointments, bulletinPosts] = await Promise.all([
    em.find(Address, { property, archivedAt: null }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    contactIds.length > 0
      ? em.find(
          Contract,
          { contacts: { $in: contactIds }, unit: { property, archivedAt: null }, archivedAt: null },
          { populate: ['unit'], orderBy: { unit: { number: 'asc' } } },
        )
      : Promise.resolve([]),
    generalContent ? latestAnnouncements(em, property.id, START_PAGE_LIMIT.announcements) : Promise.resolve([]),
    generalContent ? upcomingAppointments(em, property.id, now, START_PAGE_LIMIT.appointments) : Promise.resolve([]),
    generalContent ? latestBulletinPosts(em, property.id, START_PAGE_LIMIT.bulletinPosts) : Promise.resolve([]),
  ]);
  return {
    addresses,
    myUnits: contracts.map((c) => ({ unit: c.unit, kind: c.kind, startsOn: c.startsOn, endsOn: c.endsOn })),
    announcements,
    appointments,
    bulletinPosts,
  };
}
