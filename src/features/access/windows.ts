import type { Em } from '../../db/orm.ts';
import { AuditLog, Organization, Session } from '../../entities/index.ts';
import { accessPairs, type PortalRole } from './service.ts';

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
export async function applyAccessWindows(em: Em, now: Date, organizationId?: string) {
  const organizations = organizationId ? [organizationId] : (await em.find(Organization, {}, { fields: ['id'], orderBy: { id: 'asc' } })).map((o) => o.id);
  const total = { granted: 0, revoked: 0, ended: 0 };
  for (const id of organizations) {
    const result = await applyForOrganization(em, id, now);
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

async function applyForOrganization(em: Em, organizationId: string, now: Date) {
  // Only registered, enabled users hold grants: an invited contact has no login to end.
  const registered = new Set(
    (
      await em.execute<Array<{ id: string }>>(
        `select id from portal_user where organization_id = ? and password_hash is not null and disabled_at is null`,
        [organizationId],
        'all',
      )
    ).map((row) => row.id),
  );
  const wanted = (await accessPairs(em, organizationId, now)).filter((pair) => registered.has(pair.portalUserId));
  const reasons = new Map(wanted.map((pair) => [`${pair.portalUserId}/${pair.propertyId}`, reasonOf(pair.activeRoles)]));
  const wantedJson = JSON.stringify(wanted.map((pair) => ({ portal_user_id: pair.portalUserId, property_id: pair.propertyId })));
  const usersWithAccess = new Set(wanted.map((pair) => pair.portalUserId));

  return em.transactional(async (tx) => {
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
    const ended = [...new Set(revoked.map((row) => row.portal_user_id))].filter((userId) => !usersWithAccess.has(userId)).sort();

    const audit = (action: string, userId: string, data: Record<string, unknown>) =>
      tx.create(AuditLog, { organization: organizationId, actorType: 'system', action, subjectType: 'PortalUser', subjectId: userId, data, createdAt: now });
    for (const row of granted) audit('portal_access.granted', row.portal_user_id, { propertyId: row.property_id, reason: reasons.get(`${row.portal_user_id}/${row.property_id}`) });
    // The rule no longer names the property: the contract and its window are over, the
    // membership ended, the contact or the property was archived, or the user was disabled.
    for (const row of revoked) audit('portal_access.revoked', row.portal_user_id, { propertyId: row.property_id, reason: 'no_longer_entitled' });
    if (ended.length > 0) {
      await tx.nativeDelete(Session, { portalUser: { $in: ended }, area: 'portal' });
      for (const userId of ended) audit('portal_access.ended', userId, { sessionsEnded: true });
    }
    await tx.flush();
    return { granted: granted.length, revoked: revoked.length, ended: ended.length };
  });
}
