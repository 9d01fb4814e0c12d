import type { Em } from '../../db/orm.ts';

/**
 * Lesebestätigung of Mitteilungen (issue 19): a resident has opened a Mitteilung when its
 * portal page was shown to them or they followed the signed link in its mail
 * (src/features/notifications/links.ts) — never through a tracking pixel. The first opening
 * counts; later ones change nothing. Only a Mitteilung of the user's own Verwaltung is recorded.
 */
export async function recordAnnouncementOpening(em: Em, organizationId: string, announcementId: string, portalUserId: string, now: Date) {
  await em.execute(
    `insert into announcement_opening (announcement_id, portal_user_id, organization_id, opened_at)
     select a.id, ?, a.organization_id, ? from announcement a where a.id = ? and a.organization_id = ?
     on conflict do nothing`,
    [portalUserId, now, announcementId, organizationId],
  );
}
