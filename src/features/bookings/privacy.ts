import type { Em } from '../../db/orm.ts';
import { registerDeletionHook, registerExportKind } from '../privacy/export-registry.ts';

// What the bookings hold about a resident, for "Meine Daten" and "Konto löschen"
// (src/features/privacy/export-registry.ts).

const rows = async <T>(em: Em, sql: string, params: unknown[]) => (await em.execute(sql, params)) as T[];

registerExportKind({
  key: 'buchungen',
  async collect({ em, user }) {
    const bookings = await rows(
      em,
      `select r.name as ressource, p.name as liegenschaft, b.status, b.starts_at as beginn, b.ends_at as ende, b.created_at as gebucht_am, b.cancelled_at as storniert_am
       from booking b join booking_resource r on r.id = b.resource_id join property p on p.id = b.property_id
       where b.portal_user_id = ? order by b.starts_at`,
      [user.id],
    );
    return { json: bookings };
  },
});

registerDeletionHook({
  key: 'bookings',
  async run({ em, user, now }) {
    // Their future bookings free the rooms for others.
    await em.execute(
      `update booking set status = 'cancelled', cancelled_at = ?, cancel_reason = 'Konto gelöscht' where portal_user_id = ? and status in ('requested', 'confirmed') and starts_at > ?`,
      [now, user.id, now],
    );
  },
});
