import { createHash, randomBytes } from 'node:crypto';
import { berlinDate } from '../../clock.ts';
import { sql, type RawBuilder } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter, type RowCondition } from '../../db/row-condition.ts';
import { scopedOrganization, scopeToOrganization } from '../../db/tenant.ts';
import { Appointment, PortalUser, Property, type StaffUser } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { dateTimeFormat } from '../../intl.ts';
import { accessibleProperties, portalUsersWithAccess } from '../access/service.ts';
import { notify, type Notice } from '../notifications/notify.ts';
import { addDays, berlinDateTime, berlinTime, isValidDate, isValidTime, lastDay, monthBounds, weekdayIndex } from './time.ts';
import type { FieldErrors } from '../../http/forms.ts';

export type { FieldErrors };

/** The "Neuer Termin" form as entered (strings, so a 422 can show it again unchanged). */
export type AppointmentForm = {
  title: string;
  description: string;
  location: string;
  date: string;
  endDate: string;
  allDay: boolean;
  startTime: string;
  endTime: string;
  allProperties: boolean;
  properties: string[];
  notify: boolean;
};

const text = (value: unknown, max = 10000) => (typeof value === 'string' ? value : Array.isArray(value) ? String(value[0] ?? '') : '').slice(0, max);
const list = (value: unknown) => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(String);
const checked = (value: unknown) => value === 'on' || value === '1' || value === 'true';

/** An empty form for a new Termin on the given day. */
export function emptyForm(today: string): AppointmentForm {
  return {
    title: '',
    description: '',
    location: '',
    date: today,
    endDate: '',
    allDay: false,
    startTime: '',
    endTime: '',
    allProperties: false,
    properties: [],
    notify: false,
  };
}

/** Reads the submitted form. */
export function formFromBody(body: Record<string, unknown>): AppointmentForm {
  return {
    title: text(body.title, 500),
    description: text(body.description),
    location: text(body.location, 500),
    date: text(body.date, 20).trim(),
    endDate: text(body.endDate, 20).trim(),
    allDay: checked(body.allDay),
    startTime: text(body.startTime, 10).trim(),
    endTime: text(body.endTime, 10).trim(),
    allProperties: checked(body.allProperties),
    properties: list(body.propertyIds).slice(0, 1000),
    notify: checked(body.notify),
  };
}

/** The form of an existing Termin, for editing ("Empfänger benachrichtigen" starts unticked). */
export function formFromAppointment(a: Appointment): AppointmentForm {
  const first = berlinDate(a.startsAt);
  const last = lastDay(a);
  return {
    title: a.title,
    description: a.description,
    location: a.location,
    date: first,
    endDate: last !== first ? last : '',
    allDay: a.allDay,
    startTime: a.allDay ? '' : berlinTime(a.startsAt),
    endTime: a.allDay || a.endsAt.getTime() === a.startsAt.getTime() ? '' : berlinTime(a.endsAt),
    allProperties: a.allProperties,
    properties: a.properties.getItems().map((p) => p.id),
    notify: false,
  };
}

export type ValidAppointment = { startsAt: Date; endsAt: Date; properties: Property[] };

/** Checks the form; returns i18n keys per field, or the instants and target properties. */
export async function validateAppointment(em: Em, form: AppointmentForm): Promise<{ errors: FieldErrors; valid?: ValidAppointment }> {
  const errors: FieldErrors = {};
  if (!form.title.trim()) errors.title = 'appointments:errors.titleRequired';
  else if (form.title.trim().length > 200) errors.title = 'appointments:errors.titleTooLong';
  if (form.location.trim().length > 200) errors.location = 'appointments:errors.locationTooLong';
  if (!form.date) errors.date = 'appointments:errors.dateRequired';
  else if (!isValidDate(form.date)) errors.date = 'appointments:errors.dateInvalid';
  if (form.endDate && !isValidDate(form.endDate)) errors.endDate = 'appointments:errors.dateInvalid';
  if (!form.allDay) {
    if (!form.startTime) errors.startTime = 'appointments:errors.startTimeRequired';
    else if (!isValidTime(form.startTime)) errors.startTime = 'appointments:errors.timeInvalid';
    if (form.endTime && !isValidTime(form.endTime)) errors.endTime = 'appointments:errors.timeInvalid';
  }
  let properties: Property[] = [];
  if (!form.allProperties) {
    const ids = [...new Set(form.properties)];
    const wellFormed = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
    properties = wellFormed.length ? await em.find(Property, { id: { $in: wellFormed }, archivedAt: null }, { orderBy: { name: 'asc' } }) : [];
    // An id of another Verwaltung is simply not found, and the form is refused as a whole.
    if (properties.length === 0 || properties.length !== ids.length) errors.target = 'appointments:errors.targetRequired';
  }
  if (Object.keys(errors).length > 0) return { errors };

  const endDate = form.endDate || form.date;
  if (endDate < form.date) return { errors: { endDate: 'appointments:errors.endBeforeStart' } };
  let startsAt: Date;
  let endsAt: Date;
  if (form.allDay) {
    startsAt = berlinDateTime(form.date, '00:00');
    endsAt = berlinDateTime(addDays(endDate, 1), '00:00'); // exclusive, as in iCalendar
  } else {
    startsAt = berlinDateTime(form.date, form.startTime);
    endsAt = form.endTime ? berlinDateTime(endDate, form.endTime) : endDate === form.date ? startsAt : berlinDateTime(endDate, form.startTime);
    if (endsAt.getTime() < startsAt.getTime()) return { errors: { endTime: 'appointments:errors.endBeforeStart' } };
  }
  return { errors: {}, valid: { startsAt, endsAt, properties } };
}

/**
 * Creates (appointment null) or updates a Termin. Only with "Empfänger benachrichtigen" one
 * e-mail goes to every registered resident with access to a target property, once each, in
 * the same flush as the change.
 */
export async function saveAppointment(
  em: Em,
  staff: StaffUser,
  appointment: Appointment | null,
  form: AppointmentForm,
  valid: ValidAppointment,
  baseUrl: string,
  now: Date,
): Promise<{ appointment: Appointment; notified: number }> {
  const fields = {
    title: form.title.trim(),
    description: form.description.trim(),
    location: form.location.trim(),
    allDay: form.allDay,
    startsAt: valid.startsAt,
    endsAt: valid.endsAt,
    allProperties: form.allProperties,
    notifyRecipients: form.notify,
    updatedAt: now,
  };
  let saved: Appointment;
  if (appointment) {
    em.assign(appointment, fields);
    saved = appointment;
  } else {
    saved = em.create(Appointment, { ...fields, organization: staff.organization, status: 'published', publishedAt: now, createdBy: staff, createdAt: now });
  }
  saved.properties.set(form.allProperties ? [] : valid.properties);
  const notified = form.notify && saved.status === 'published' ? await notifyRecipients(em, staff, saved, valid.properties, baseUrl, now) : 0;
  await em.flush();
  return { appointment: saved, notified };
}

/** Tells everyone who may see the Termin now, each by their choice (src/features/notifications); returns how many were addressed. */
async function notifyRecipients(em: Em, staff: StaffUser, appointment: Appointment, properties: Property[], baseUrl: string, now: Date): Promise<number> {
  // Each recipient gets a link into the portal of a property of theirs the Termin is shown in.
  const recipients = new Map<string, { user: PortalUser; link: string; propertyId: string | null }>();
  if (appointment.allProperties) {
    for (const user of await portalUsersWithAccess(em, 'all', now)) recipients.set(user.id, { user, link: `${baseUrl}/portal`, propertyId: null });
  } else {
    for (const property of properties) {
      for (const user of await portalUsersWithAccess(em, [property.id], now)) {
        if (!recipients.has(user.id))
          recipients.set(user.id, { user, link: `${baseUrl}/portal/liegenschaften/${property.id}/termine/${appointment.id}`, propertyId: property.id });
      }
    }
  }
  const notices: Notice[] = [...recipients.values()].map(({ user, link, propertyId }) => ({
    user,
    propertyId,
    title: appointment.title,
    link,
    template: 'appointment',
    data: {
      title: appointment.title,
      when: describeWhen(appointment, user.locale === 'en' ? 'en' : 'de'),
      location: appointment.location,
      description: appointment.description,
      link,
    },
  }));
  await notify(em, { kind: 'appointments', organization: staff.organization, baseUrl, now, notices });
  return recipients.size;
}

/** "Mo., 30.11.2026, 10:00–11:30" or "30.11.2026 – 02.12.2026 (ganztägig)". */
export function describeWhen(a: { allDay: boolean; startsAt: Date; endsAt: Date }, lang: 'de' | 'en' = 'de'): string {
  const locale = lang === 'en' ? 'en-GB' : 'de-DE';
  const dayFormat = dateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' });
  const day = (d: string) => dayFormat.format(new Date(`${d}T12:00:00Z`));
  const first = berlinDate(a.startsAt);
  const last = lastDay(a);
  if (a.allDay) return `${day(first)}${last !== first ? ` – ${day(last)}` : ''} (${lang === 'en' ? 'all day' : 'ganztägig'})`;
  const start = berlinTime(a.startsAt);
  if (a.endsAt.getTime() === a.startsAt.getTime()) return `${day(first)}, ${start}`;
  if (last === first) return `${day(first)}, ${start}–${berlinTime(a.endsAt)}`;
  return `${day(first)}, ${start} – ${day(last)}, ${berlinTime(a.endsAt)}`;
}

/** Withdraws ("absagen") a Termin: it disappears from the portals and feeds. */
export async function withdrawAppointment(em: Em, appointment: Appointment, now: Date) {
  appointment.status = 'withdrawn';
  appointment.updatedAt = now;
  await em.flush();
}

/** The console list: upcoming first (soonest first), then the latest past ones. */
export async function consoleAppointments(em: Em, now: Date) {
  const [upcoming, past] = await Promise.all([
    em.find(Appointment, { endsAt: { $gte: now } }, { populate: ['properties'], orderBy: { startsAt: 'asc', id: 'asc' } }),
    em.find(Appointment, { endsAt: { $lt: now } }, { populate: ['properties'], orderBy: { startsAt: 'desc', id: 'asc' }, limit: 50 }),
  ]);
  return { upcoming, past };
}

/** The properties a Termin can be sent to. */
export function targetProperties(em: Em) {
  return em.find(Property, { archivedAt: null }, { orderBy: { name: 'asc' } });
}

/**
 * Published Termine shown in the portal of these properties (their own and those for all
 * properties). The one statement of the rule, as SQL (the portal start page reads rows with
 * it, src/features/portal/service.ts) and, through asEntityFilter, for the entity queries below.
 */
export const appointmentVisibleIn =
  (propertyIds: string[]): RowCondition =>
  (a) =>
    sql`${sql.ref(`${a}.status`)} = 'published' and (${sql.ref(`${a}.all_properties`)}
      ${propertyIds.length ? sql`or exists (select 1 from appointment_property shared where shared.appointment_id = ${sql.ref(`${a}.id`)} and shared.property_id in (${sql.join(propertyIds)}))` : sql``})`;

function visibleIn(em: Em, propertyIds: string[]) {
  return asEntityFilter(em, appointmentVisibleIn(propertyIds));
}

const unique = <T extends { id: string }>(rows: T[]) => [...new Map(rows.map((r) => [r.id, r])).values()];

/** A Termin of the portal list, as plain row (views/appointments/_portal-item.eta). */
export type PortalAppointmentRow = { id: string; title: string; location: string; allDay: boolean; startsAt: Date; endsAt: Date };

/**
 * Termine of a property in the portal list: plain rows in ONE statement through Kysely,
 * visible by appointmentVisibleIn, `when` the time condition and `order` their order. The
 * Verwaltung is the session's (scopedOrganization): plain SQL is not reached by the tenant filter.
 */
async function portalAppointmentRows(em: Em, propertyId: string, when: RawBuilder<unknown>, order: RawBuilder<unknown>, limit: number) {
  const { rows } = await sql<Omit<PortalAppointmentRow, 'startsAt' | 'endsAt'> & { startsAt: string; endsAt: string }>`
    select ap.id, ap.title, ap.location, ap.all_day as "allDay", ap.starts_at as "startsAt", ap.ends_at as "endsAt"
    from appointment ap
    where ap.organization_id = ${scopedOrganization(em)} and ${appointmentVisibleIn([propertyId])('ap')} and ${when}
    order by ${order} limit ${sql.lit(limit)}`.execute(em.getKysely());
  // Timestamps come as text from the driver (MikroORM's type parsers).
  return rows.map((row): PortalAppointmentRow => ({ ...row, startsAt: new Date(row.startsAt), endsAt: new Date(row.endsAt) }));
}

/** The next Termine of a property (not yet ended at `from`), soonest first (the start page reads the same in its own statement). */
export function upcomingAppointments(em: Em, propertyId: string, from: Date, limit = 50): Promise<PortalAppointmentRow[]> {
  return portalAppointmentRows(em, propertyId, sql`ap.ends_at >= ${from}`, sql`ap.starts_at asc, ap.id asc`, limit);
}

/** Termine of a property that ended before `before`, latest first. */
export function pastAppointments(em: Em, propertyId: string, before: Date, limit = 100): Promise<PortalAppointmentRow[]> {
  return portalAppointmentRows(em, propertyId, sql`ap.ends_at < ${before}`, sql`ap.starts_at desc, ap.id asc`, limit);
}

export type MonthDay = { day: string; inMonth: boolean; today: boolean; appointments: Appointment[] };

/** The month view of a property: weeks (Monday first) of days with their Termine. */
export async function monthCalendar(em: Em, propertyId: string, month: string, today: string) {
  const { first, next } = monthBounds(month);
  const rows = unique(
    await em.find(
      Appointment,
      { ...visibleIn(em, [propertyId]), startsAt: { $lt: berlinDateTime(next, '00:00') }, endsAt: { $gte: berlinDateTime(first, '00:00') } },
      { orderBy: { startsAt: 'asc', id: 'asc' } },
    ),
  );
  const gridStart = addDays(first, -weekdayIndex(first));
  const weeks: MonthDay[][] = [];
  for (let day = gridStart; day < next || weeks.length === 0 || weeks[weeks.length - 1].length < 7; day = addDays(day, 1)) {
    if (weeks.length === 0 || weeks[weeks.length - 1].length === 7) weeks.push([]);
    const appointments = rows.filter((a) => berlinDate(a.startsAt) <= day && lastDay(a) >= day);
    weeks[weeks.length - 1].push({ day, inMonth: day >= first && day < next, today: day === today, appointments });
  }
  return { weeks, count: rows.length };
}

/** One Termin as a resident of the property sees it, or 404. */
export async function portalAppointment(em: Em, propertyId: string, appointmentId: string): Promise<Appointment> {
  if (!/^[0-9a-f-]{36}$/i.test(appointmentId)) throw new NotFoundError('malformed appointment id');
  const found = await em.findOne(Appointment, { ...visibleIn(em, [propertyId]), id: appointmentId });
  if (!found) throw new NotFoundError(`appointment ${appointmentId} not in property ${propertyId}`);
  return found;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Creates a new subscription token for the user; only its hash is stored, an older link stops working. */
export async function issueCalendarToken(em: Em, user: PortalUser): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  user.calendarTokenHash = sha256(token);
  await em.flush();
  return token;
}

/**
 * The subscription feed of a token: every published Termin of the properties whose general
 * content the user sees right now (from a year back). Null for an unknown token. The request
 * has no session, so this scopes the EntityManager to the token owner's Verwaltung itself.
 */
export async function calendarFeed(em: Em, token: string, now: Date): Promise<{ user: PortalUser; appointments: Appointment[] } | null> {
  if (!/^[A-Za-z0-9_-]{16,100}$/.test(token)) return null;
  const user = await em.findOne(PortalUser, { calendarTokenHash: sha256(token), disabledAt: null }, { filters: { tenant: false }, populate: ['organization'] });
  if (!user) return null;
  scopeToOrganization(em, user.organization.id);
  // Termine are shared with whole properties: only where the user sees general content
  // (not through a contract inside an access window; src/features/portal/routes.ts).
  const properties = (await accessibleProperties(em, user, now)).filter((a) => a.seesGeneralContent).map((a) => a.property.id);
  if (properties.length === 0) return { user, appointments: [] };
  const from = new Date(now.getTime() - 365 * 24 * 3600 * 1000);
  const appointments = unique(
    await em.find(Appointment, { ...visibleIn(em, properties), endsAt: { $gte: from } }, { orderBy: { startsAt: 'asc', id: 'asc' }, limit: 1000 }),
  );
  return { user, appointments };
}
