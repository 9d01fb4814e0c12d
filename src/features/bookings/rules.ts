import { sql } from 'kysely';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { BOOKING_ROLES, type BookingResource, type BookingRole, type Organization, type PortalUser, type Property } from '../../entities/index.ts';
import type { PropertyAccess } from '../access/service.ts';
import { bookingsOpen } from '../portal-settings/switches.ts';

/**
 * The one rule of who may book which resource (issue 22), asked by the portal's scopes,
 * the booking service, staff booking for a resident, and the access-window job:
 *
 * - the section "Buchungen" shows where the switch is on (Verwaltung and property) to
 *   residents with one of the bookable roles running there (Mieter, Eigentümer, Bewohner,
 *   Gewerbemitarbeiter) and to the preview; never to a Dienstleister login, nor to a user
 *   whose contract lies only inside an access window;
 * - a resource is booked by whom one of its allowed roles (Wer darf buchen) holds now.
 */
export function bookingRolesOf(access: Pick<PropertyAccess, 'activeRoles'>): BookingRole[] {
  return BOOKING_ROLES.filter((role) => access.activeRoles.includes(role));
}

/** Whether the portal shows "Buchungen" in this property to this visitor (the preview: read-only, wherever the switch is on). */
export function seesBookings(organization: Organization, property: Property, access: Pick<PropertyAccess, 'activeRoles'>, preview: boolean): boolean {
  if (!bookingsOpen(organization, property)) return false;
  return preview || bookingRolesOf(access).length > 0;
}

/** Whether this access may book this resource now (the role part of the rule; time rules are in ./service.ts). */
export function mayBook(resource: Pick<BookingResource, 'allowedRoles'>, access: Pick<PropertyAccess, 'activeRoles'>): boolean {
  return bookingRolesOf(access).some((role) => resource.allowedRoles.includes(role));
}

/**
 * The household a booking counts against (the "N per household" limit): the contacts of one
 * unit's running contracts of one kind with their logins share `unit:<id>:<kind>` (the
 * tenants of a flat are one household, its letting owner another; a self-using owner's
 * ownership contract is theirs); a Bewohner invited by a neighbour, and a Gewerbemitarbeiter
 * invited by their company's login, belong to the inviter's household; anyone else is a
 * household of their own (`user:<id>`). Where a login has several units there, the rental
 * contract (where one lives) comes first, then the unit's id.
 */
export async function householdOf(em: Em, user: PortalUser, property: Property, at: Date): Promise<string> {
  const day = berlinDate(at);
  const organizationId = user.organization.id;
  const { rows } = await sql<{ unit_id: string; kind: string; own: boolean }>`
    with logins as (
      select ${user.id}::uuid as portal_user_id, true as own
      union all
      select m.invited_by_id, false from portal_membership m
      where m.portal_user_id = ${user.id} and m.property_id = ${property.id} and m.organization_id = ${organizationId}
        and m.ended_at is null and m.role in ('resident', 'commercial_employee') and m.invited_by_id is not null)
    select u.id as unit_id, c.kind::text as kind, l.own
    from logins l
    join portal_user_contact puc on puc.portal_user_id = l.portal_user_id
    join contact ct on ct.id = puc.contact_id and ct.organization_id = ${organizationId} and ct.archived_at is null
    join contract_contact cc on cc.contact_id = puc.contact_id
    join contract c on c.id = cc.contract_id and c.archived_at is null and c.starts_on <= ${day}::date and (c.ends_on is null or c.ends_on >= ${day}::date)
    join unit u on u.id = c.unit_id and u.property_id = ${property.id} and u.archived_at is null
    order by l.own desc, (c.kind = 'rental') desc, u.id
    limit 1`.execute(em.getKysely());
  return rows[0] ? `unit:${rows[0].unit_id}:${rows[0].kind}` : `user:${user.id}`;
}
