import type { Em } from '../../db/orm.ts';
import { Organization } from '../../entities/index.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { describeSpan } from './format.ts';

type Cancelled = { id: string; property_id: string; property_name: string; resource_name: string; user_name: string | null; starts_at: Date; ends_at: Date };

/**
 * Called by the access-window task (src/features/access/windows.ts) with the (user, property)
 * pairs that just lost access: their future bookings and requests there are cancelled, and
 * the property's responsible staff (else every member of staff) are told in one mail per
 * person. Plain SQL with the Verwaltung named, like the task itself; in its transaction.
 */
export async function cancelBookingsOfLostAccess(
  tx: Em,
  organizationId: string,
  lost: ReadonlyArray<{ portal_user_id: string; property_id: string }>,
  now: Date,
  baseUrl?: string,
): Promise<number> {
  if (lost.length === 0) return 0;
  const cancelled = await tx.execute<Cancelled[]>(
    `with lost as (select * from jsonb_to_recordset(?::jsonb) as l(portal_user_id uuid, property_id uuid)),
     done as (
       update booking b set status = 'cancelled', cancelled_at = ?, cancel_reason = 'Zugang beendet', updated_at = ?
       from lost l
       where b.organization_id = ? and b.portal_user_id = l.portal_user_id and b.property_id = l.property_id
         and b.kind = 'booking' and b.status in ('requested', 'confirmed') and b.starts_at > ?
       returning b.id, b.property_id, b.resource_id, b.portal_user_id, b.starts_at, b.ends_at)
     select d.id, d.property_id, p.name as property_name, r.name as resource_name, pu.name as user_name, d.starts_at, d.ends_at
     from done d join property p on p.id = d.property_id join booking_resource r on r.id = d.resource_id
     left join portal_user pu on pu.id = d.portal_user_id
     order by p.name, d.starts_at`,
    [JSON.stringify(lost.map((l) => ({ portal_user_id: l.portal_user_id, property_id: l.property_id }))), now, now, organizationId, now],
    'all',
  );
  if (cancelled.length === 0) return 0;
  const organization = await tx.findOneOrFail(Organization, organizationId);
  const byStaff = new Map<string, { email: string; name: string; locale: string; rows: Cancelled[] }>();
  for (const propertyId of [...new Set(cancelled.map((c) => c.property_id))]) {
    const staff = await tx.execute<Array<{ id: string; email: string; name: string; locale: string }>>(
      `with responsible as (
         select s.id, s.email, s.name, s.locale from property_staff ps join staff_user s on s.id = ps.staff_user_id
         where ps.property_id = ? and ps.organization_id = ? and s.password_hash is not null and s.disabled_at is null)
       select * from responsible
       union all
       select s.id, s.email, s.name, s.locale from staff_user s
       where s.organization_id = ? and s.password_hash is not null and s.disabled_at is null and not exists (select 1 from responsible)`,
      [propertyId, organizationId, organizationId],
      'all',
    );
    for (const s of staff) {
      const entry = byStaff.get(s.id) ?? { email: s.email, name: s.name, locale: s.locale, rows: [] };
      entry.rows.push(...cancelled.filter((c) => c.property_id === propertyId));
      byStaff.set(s.id, entry);
    }
  }
  for (const entry of byStaff.values()) {
    enqueueMail(
      tx,
      {
        organization,
        to: entry.email,
        template: 'bookings-access-ended',
        locale: entry.locale,
        data: {
          name: entry.name,
          link: baseUrl && `${baseUrl}/verwaltung/liegenschaften/${entry.rows[0].property_id}/ressourcen`,
          bookings: entry.rows.map((c) => ({
            propertyName: c.property_name,
            resourceName: c.resource_name,
            userName: c.user_name ?? '',
            when: describeSpan({ startsAt: new Date(c.starts_at), endsAt: new Date(c.ends_at) }, entry.locale),
          })),
        },
      },
      now,
    );
  }
  return cancelled.length;
}
