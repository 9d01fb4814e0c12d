import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import type { Property } from '../../entities/index.ts';
import { commercialTenancy } from '../access/service.ts';
import { announcementVisibleIn } from '../announcements/service.ts';
import { appointmentVisibleIn } from '../appointments/service.ts';
import { bulletinPostVisibleIn } from '../bulletin/service.ts';

/** How many entries of each kind the start page shows. */
export const START_PAGE_LIMIT = { announcements: 3, appointments: 3, bulletinPosts: 3 } as const;

type Json<T> = T[];
type StartRow = {
  addresses: Json<{ street: string; houseNumber: string; postalCode: string; city: string }>;
  myUnits: Json<{ unit: { id: string; number: string }; kind: 'rental' | 'ownership' | 'commercial'; startsOn: string; endsOn: string | null }>;
  announcements: Json<{ id: string; title: string; publishedAt: string | null }>;
  appointments: Json<{ id: string; title: string; location: string; allDay: boolean; startsAt: string; endsAt: string }>;
  bulletinPosts: Json<{ id: string; title: string; publishedAt: string | null }>;
};

/**
 * What the start page of a property shows: its addresses, the newest Mitteilungen, the next
 * Termine, the newest Schwarzes-Brett posts, and the resident's own units there, through the
 * contacts the access module names for this property (`access.contactIds`; none in the
 * preview, src/features/preview, and for Bewohner). Without
 * `generalContent` (access only inside a window, see seesGeneralContent in ./routes.ts)
 * nothing shared with the whole property is.
 *
 * ONE statement of plain rows (each list a JSON sub-select), through Kysely with parameters:
 * five entity queries cost ~10 ms CPU per request (issue 16). Who sees which Mitteilung,
 * Termin and post is each feature's rule (announcementVisibleIn, appointmentVisibleIn,
 * bulletinPostVisibleIn), put into the SQL here, not restated. The Verwaltung is the
 * property's, which the scope loaded (plain SQL is not reached by the tenant filter).
 */
export async function portalStartPage(em: Em, property: Property, contactIds: string[], now: Date, generalContent: boolean) {
  const organizationId = property.organization.id;
  const none = sql`'[]'::json`;
  const list = (query: ReturnType<typeof sql>) => sql`(select coalesce(json_agg(x), '[]'::json) from (${query}) x)`;
  const { rows } = await sql<StartRow>`
    select
      ${list(sql`select a.street, a.house_number as "houseNumber", a.postal_code as "postalCode", a.city from address a
        where a.organization_id = ${organizationId} and a.property_id = ${property.id} and a.archived_at is null
        order by a.street, a.house_number`)} as addresses,
      ${
        // A company's commercial tenancy shows as "Gewerbe" (commercialTenancy, src/features/access/service.ts).
        contactIds.length
          ? list(sql`select json_build_object('id', u.id, 'number', u.number) as unit,
              case when exists (select 1 from contract_contact cc join contact ct on ct.id = cc.contact_id
                where cc.contract_id = c.id and cc.contact_id in (${sql.join(contactIds)}) and ${commercialTenancy}) then 'commercial' else c.kind::text end as kind,
              c.starts_on as "startsOn", c.ends_on as "endsOn"
            from contract c join unit u on u.id = c.unit_id
            where c.organization_id = ${organizationId} and u.property_id = ${property.id} and u.archived_at is null and c.archived_at is null
              and exists (select 1 from contract_contact cc where cc.contract_id = c.id and cc.contact_id in (${sql.join(contactIds)}))
            order by u.number`)
          : none
      } as "myUnits",
      ${
        generalContent
          ? list(sql`select an.id, an.title, an.published_at as "publishedAt" from announcement an
            where an.organization_id = ${organizationId} and ${announcementVisibleIn(property.id)('an')}
            order by an.published_at desc, an.id desc limit ${sql.lit(START_PAGE_LIMIT.announcements)}`)
          : none
      } as announcements,
      ${
        generalContent
          ? list(sql`select ap.id, ap.title, ap.location, ap.all_day as "allDay", ap.starts_at as "startsAt", ap.ends_at as "endsAt" from appointment ap
            where ap.organization_id = ${organizationId} and ${appointmentVisibleIn([property.id])('ap')} and ap.ends_at >= ${now}
            order by ap.starts_at, ap.id limit ${sql.lit(START_PAGE_LIMIT.appointments)}`)
          : none
      } as appointments,
      ${
        generalContent
          ? list(sql`select bp.id, bp.title, bp.published_at as "publishedAt" from bulletin_post bp
            where bp.organization_id = ${organizationId} and ${bulletinPostVisibleIn(property.id)('bp')}
            order by bp.published_at desc, bp.id limit ${sql.lit(START_PAGE_LIMIT.bulletinPosts)}`)
          : none
      } as "bulletinPosts"`.execute(em.getKysely());
  const row = rows[0];
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return {
    addresses: row.addresses,
    myUnits: row.myUnits,
    announcements: row.announcements.map((a) => ({ ...a, publishedAt: date(a.publishedAt) })),
    appointments: row.appointments.map((a) => ({ ...a, startsAt: new Date(a.startsAt), endsAt: new Date(a.endsAt) })),
    bulletinPosts: row.bulletinPosts.map((p) => ({ ...p, publishedAt: date(p.publishedAt) })),
  };
}
