import type { Em } from '../../db/orm.ts';
import { PortalMembership, type Property, type StaffUser } from '../../entities/index.ts';
import { applyAccessWindows } from './windows.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * Portal access without a contract (Bewohner invited by a neighbour; later Gewerbemitarbeiter
 * and Dienstleister), as staff see it on the property's Kontakte tab: these logins have no
 * contact, so this is the one place the Verwaltung can see and end them.
 */
export function activeMemberships(em: Em, property: Property) {
  return em.find(PortalMembership, { property, endedAt: null }, { populate: ['portalUser', 'invitedBy'], orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * "Zugang beenden": ends a membership at once. The access function stops counting it with
 * the next request; the access-window task runs right away so a user left with nothing
 * loses their sessions now, and the audit log says who ended it.
 */
export async function endMembership(em: Em, staff: StaffUser, membership: PortalMembership, now: Date) {
  membership.endedAt = now;
  auditStaffAction(
    em,
    staff,
    'portal_membership.ended',
    { type: 'PortalUser', id: membership.portalUser.id },
    { propertyId: membership.property.id, role: membership.role },
    now,
  );
  await em.flush();
  await applyAccessWindows(em, now, staff.organization.id);
}
