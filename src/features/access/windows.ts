import type { Em } from '../../db/orm.ts';
import { AuditLog, Organization } from '../../entities/index.ts';
import { sessionsChanged } from '../../auth/session.ts';
import { accessPairs, type PortalRole } from './service.ts';
import { cancelBookingsOfLostAccess } from '../bookings/access-loss.ts';

/**
 * The access-window task (jobs/access-windows.ts, hourly; and at once when an admin saves
 * Rollen & Zugriffsrechte): makes the PortalAccessGrant rows follow the access function
 * (./service.ts), which alone decides every request. What the grants add is the record:
 * "portal_access.granted" when a registered user gains a property (a contract starts, a
 * pre-contract window opens, a membership begins, post-contract access is switched on),
 * "portal_access.revoked" when they lose one, and "portal_access.ended" with their portal
 * sessions ended when they lose the last one.
 *
 * Idempotent and safe to run twice at once: rows are inserted with "on conflict do nothing"
 * and deleted with "returning", and only rows this run actually changed are audited, so a
 * second run (or a concurrent one) finds nothing to do and writes nothing.
 */
export async function applyAccessWindows(em: Em, now: Date, organizationId?: string, options: { baseUrl?: string } = {}) {
  const organizations = organizationId ? [organizationId] : (await em.find(Organization, {}, { fields: ['id'], orderBy: { id: 'asc' } })).map((o) => o.id);
  const total = { granted: 0, revoked: 0, ended: 0 };
  for (const id of organizations) {
    const result = await applyForOrganization(em, id, now, options.baseUrl);
    total.granted += result.granted;
    total.revoked += result.revoked;
    total.ended += result.ended;
  }
  return total;
}

type Pair = { portal_user_id: string; property_id: string };

/** Why a user has access now, for the audit row. */
function reasonOf(activeRoles: PortalRole[]): 'contract' | 'membership' | 'access_window' {
  if (activeRoles.includes('tenant') || activeRoles.includes('owner')) return 'contract';
  return activeRoles.length > 0 ? 'membership' : 'access_window';
}

async function applyForOrganization(em: Em, organizationId: string, now: Date, baseUrl: string | undefined) {
  return em.transactional(async (tx) => {
    // One run per Verwaltung at a time, whoever starts it (the hourly job, or an admin saving
    // Rollen & Zugriffsrechte): a run that read the old settings must not delete what a
    // run with the new ones just granted. Held until the transaction ends; the answer of
    // the access function is read after it is taken.
    await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`access-windows:${organizationId}`]);

    // Only registered, enabled users hold grants: an invited contact has no login to end.
    const registered = new Set(
      (
        await tx.execute<Array<{ id: string }>>(
          `select id from portal_user where organization_id = ? and password_hash is not null and disabled_at is null`,
          [organizationId],
          'all',
        )
      ).map((row) => row.id),
    );
    const wanted = (await accessPairs(tx, organizationId, now)).filter((pair) => registered.has(pair.portalUserId));
    const reasons = new Map(wanted.map((pair) => [`${pair.portalUserId}/${pair.propertyId}`, reasonOf(pair.activeRoles)]));
    const wantedJson = JSON.stringify(wanted.map((pair) => ({ portal_user_id: pair.portalUserId, property_id: pair.propertyId })));
    const usersWithAccess = [...new Set(wanted.map((pair) => pair.portalUserId))];

    const granted = await tx.execute<Pair[]>(
      `insert into portal_access_grant (portal_user_id, property_id, organization_id, since)
       select w.portal_user_id, w.property_id, ?, ? from jsonb_to_recordset(?::jsonb) as w(portal_user_id uuid, property_id uuid)
       on conflict do nothing
       returning portal_user_id, property_id`,
      [organizationId, now, wantedJson],
      'all',
    );
    const revoked = await tx.execute<Pair[]>(
      `delete from portal_access_grant g
       where g.organization_id = ?
         and not exists (select 1 from jsonb_to_recordset(?::jsonb) as w(portal_user_id uuid, property_id uuid)
                         where w.portal_user_id = g.portal_user_id and w.property_id = g.property_id)
       returning portal_user_id, property_id`,
      [organizationId, wantedJson],
      'all',
    );
    // Every portal session of a user who may see nothing any more ends: those who just lost
    // their last grant, and those who never held one (registered and lost access between
    // two runs). Sessions of the preview belong to staff and are not touched.
    const endedSessions = await tx.execute<Array<{ portal_user_id: string }>>(
      `delete from session s using portal_user pu
       where s.portal_user_id = pu.id and s.area = 'portal' and pu.organization_id = ?
         and not (pu.id = any(?::uuid[]))
       returning s.portal_user_id`,
      [organizationId, `{${usersWithAccess.join(',')}}`],
      'all',
    );
    const withAccess = new Set(usersWithAccess);
    const ended = [...new Set([...revoked.map((row) => row.portal_user_id), ...endedSessions.map((row) => row.portal_user_id)])]
      .filter((userId) => !withAccess.has(userId))
      .sort();

    const audit = (action: string, userId: string, data: Record<string, unknown>) =>
      tx.create(AuditLog, { organization: organizationId, actorType: 'system', action, subjectType: 'PortalUser', subjectId: userId, data, createdAt: now });
    for (const row of granted)
      audit('portal_access.granted', row.portal_user_id, { propertyId: row.property_id, reason: reasons.get(`${row.portal_user_id}/${row.property_id}`) });
    // The rule no longer names the property: the contract and its window are over, the
    // membership ended, the contact or the property was archived, or the user was disabled.
    for (const row of revoked) audit('portal_access.revoked', row.portal_user_id, { propertyId: row.property_id, reason: 'no_longer_entitled' });
    for (const userId of ended) audit('portal_access.ended', userId, { sessionsEnded: endedSessions.some((row) => row.portal_user_id === userId) });
    // Buchungen (issue 22): future bookings of a lost property are cancelled, staff told.
    await cancelBookingsOfLostAccess(tx, organizationId, revoked, now, baseUrl);
    await tx.flush();
    // The sessions deleted above end in every process's session cache too (delivered at commit).
    await sessionsChanged(tx, { userIds: [...new Set(endedSessions.map((row) => row.portal_user_id))] });
    return { granted: granted.length, revoked: revoked.length, ended: ended.length };
  });
}
