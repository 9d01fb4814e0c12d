import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import {
  BOOKING_MODES,
  BOOKING_ROLES,
  Booking,
  BookingResource,
  HOUSEHOLD_PERIODS,
  LIVE_STATUSES,
  PortalUser,
  type BookingMode,
  type BookingRole,
  type HouseholdPeriod,
  type OpeningHours,
  type Property,
  type StaffUser,
} from '../../entities/index.ts';
import { field, textareaField, type FieldMessage } from '../../http/forms.ts';
import { accessPairs, propertyAccessOfUsers, type PropertyAccess } from '../access/service.ts';
import { auditStaffAction } from '../audit/service.ts';
import { notifyBooking } from './notify.ts';
import { householdOf, mayBook } from './rules.ts';
import {
  addDays,
  berlinDate,
  berlinTime,
  hoursOf,
  isValidDate,
  isValidTime,
  minutesOf,
  mondayOf,
  nightsSpan,
  overlaps,
  periodAround,
  slotsOfDay,
  type Span,
  wallInstant,
} from './time.ts';

export type FieldErrors = Record<string, FieldMessage>;

/** A booking or cancellation refused by a rule: the German reason per form field; nothing was written. */
export class BookingRefused extends Error {
  readonly errors: FieldErrors;
  constructor(errors: FieldErrors) {
    super(`booking refused: ${Object.values(errors).flat().join(', ')}`);
    this.errors = errors;
  }
}

// ---------------------------------------------------------------------------------------
// Resources and their rules (console "Ressourcen & Räume")

export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;

export type ResourceForm = {
  name: string;
  description: string;
  place: string;
  persons: string;
  mode: string;
  slotMinutes: string;
  checkInTime: string;
  checkOutTime: string;
  hours: Array<{ open: boolean; from: string; to: string }>;
  leadHours: string;
  advanceDays: string;
  maxUnits: string;
  householdLimit: string;
  householdPeriod: string;
  cancelHours: string;
  needsApproval: boolean;
  allowedRoles: string[];
  fee: string;
};

export type ResourceValues = {
  name: string;
  description: string;
  place: string;
  persons: number | null;
  mode: BookingMode;
  slotMinutes: number;
  checkInTime: string;
  checkOutTime: string;
  openingHours: OpeningHours;
  leadHours: number;
  advanceDays: number;
  maxUnits: number;
  householdLimit: number | null;
  householdPeriod: HouseholdPeriod;
  cancelHours: number;
  needsApproval: boolean;
  allowedRoles: BookingRole[];
  fee: string;
};

/** A new resource's form: 2-hour slots, 07:00–22:00 every day, Mieter and Eigentümer. */
export function emptyResourceForm(): ResourceForm {
  return {
    name: '',
    description: '',
    place: '',
    persons: '',
    mode: 'slots',
    slotMinutes: '120',
    checkInTime: '15:00',
    checkOutTime: '10:00',
    hours: WEEKDAYS.map(() => ({ open: true, from: '07:00', to: '22:00' })),
    leadHours: '0',
    advanceDays: '60',
    maxUnits: '1',
    householdLimit: '',
    householdPeriod: 'week',
    cancelHours: '0',
    needsApproval: false,
    allowedRoles: ['tenant', 'owner'],
    fee: '',
  };
}

export function formFromResource(r: BookingResource): ResourceForm {
  return {
    name: r.name,
    description: r.description,
    place: r.place,
    persons: r.persons === null || r.persons === undefined ? '' : String(r.persons),
    mode: r.mode,
    slotMinutes: String(r.slotMinutes),
    checkInTime: r.checkInTime,
    checkOutTime: r.checkOutTime,
    hours: WEEKDAYS.map((d) => {
      const h = r.openingHours[d];
      return h ? { open: true, from: h[0], to: h[1] } : { open: false, from: '', to: '' };
    }),
    leadHours: String(r.leadHours),
    advanceDays: String(r.advanceDays),
    maxUnits: String(r.maxUnits),
    householdLimit: r.householdLimit === null || r.householdLimit === undefined ? '' : String(r.householdLimit),
    householdPeriod: r.householdPeriod,
    cancelHours: String(r.cancelHours),
    needsApproval: r.needsApproval,
    allowedRoles: [...r.allowedRoles],
    fee: r.fee,
  };
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];

export function resourceFormFromBody(body: Record<string, unknown> = {}): ResourceForm {
  return {
    name: field(body.name).trim(),
    description: textareaField(body.description),
    place: field(body.place).trim(),
    persons: field(body.persons).trim(),
    mode: field(body.mode),
    slotMinutes: field(body.slotMinutes).trim(),
    checkInTime: field(body.checkInTime).trim(),
    checkOutTime: field(body.checkOutTime).trim(),
    hours: WEEKDAYS.map((d) => ({ open: field(body[`open${d}`]) === '1', from: field(body[`from${d}`]).trim(), to: field(body[`to${d}`]).trim() })),
    leadHours: field(body.leadHours).trim(),
    advanceDays: field(body.advanceDays).trim(),
    maxUnits: field(body.maxUnits).trim(),
    householdLimit: field(body.householdLimit).trim(),
    householdPeriod: field(body.householdPeriod),
    cancelHours: field(body.cancelHours).trim(),
    needsApproval: field(body.needsApproval) === '1',
    allowedRoles: list(body.allowedRoles),
    fee: field(body.fee).trim(),
  };
}

/** A whole number between min and max, or null. */
function whole(value: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

const isClose = (value: string) => value === '24:00' || isValidTime(value);

/** Checks a resource form; the values to save, or the messages per field. */
export function validateResourceForm(form: ResourceForm): { errors: FieldErrors; valid: ResourceValues | null } {
  const errors: FieldErrors = {};
  if (!form.name) errors.name = 'bookings:errors.nameRequired';
  else if (form.name.length > 120) errors.name = ['bookings:errors.tooLongText', { max: 120 }];
  if (form.place.length > 200) errors.place = ['bookings:errors.tooLongText', { max: 200 }];
  if (form.fee.length > 200) errors.fee = ['bookings:errors.tooLongText', { max: 200 }];
  if (form.description.length > 5000) errors.description = ['bookings:errors.tooLongText', { max: 5000 }];
  const persons = form.persons === '' ? null : whole(form.persons, 1, 999);
  if (form.persons !== '' && persons === null) errors.persons = ['bookings:errors.number', { min: 1, max: 999 }];
  const mode = (BOOKING_MODES as readonly string[]).includes(form.mode) ? (form.mode as BookingMode) : null;
  if (!mode) errors.mode = 'bookings:errors.mode';
  const slotMinutes = whole(form.slotMinutes, 15, 1440);
  if (mode === 'slots' && (slotMinutes === null || slotMinutes % 15 !== 0)) errors.slotMinutes = 'bookings:errors.slotMinutes';
  if (mode === 'nights') {
    if (!isValidTime(form.checkInTime)) errors.checkInTime = 'bookings:errors.time';
    if (!isValidTime(form.checkOutTime)) errors.checkOutTime = 'bookings:errors.time';
  }
  const openingHours: OpeningHours = form.hours.map((h, d) => {
    if (!h.open) return null;
    if (!isValidTime(h.from) || !isClose(h.to) || minutesOf(h.to) <= minutesOf(h.from)) {
      errors[`hours${d}`] = 'bookings:errors.hours';
      return null;
    }
    return [h.from, h.to];
  });
  if (!form.hours.some((h) => h.open)) errors.hours0 = 'bookings:errors.noDay';
  const leadHours = whole(form.leadHours, 0, 24 * 365);
  if (leadHours === null) errors.leadHours = ['bookings:errors.number', { min: 0, max: 24 * 365 }];
  const advanceDays = whole(form.advanceDays, 1, 730);
  if (advanceDays === null) errors.advanceDays = ['bookings:errors.number', { min: 1, max: 730 }];
  const maxUnits = whole(form.maxUnits, 1, 60);
  if (maxUnits === null) errors.maxUnits = ['bookings:errors.number', { min: 1, max: 60 }];
  const householdLimit = form.householdLimit === '' ? null : whole(form.householdLimit, 1, 100);
  if (form.householdLimit !== '' && householdLimit === null) errors.householdLimit = ['bookings:errors.number', { min: 1, max: 100 }];
  const householdPeriod = (HOUSEHOLD_PERIODS as readonly string[]).includes(form.householdPeriod) ? (form.householdPeriod as HouseholdPeriod) : null;
  if (!householdPeriod) errors.householdPeriod = 'bookings:errors.mode';
  const cancelHours = whole(form.cancelHours, 0, 24 * 60);
  if (cancelHours === null) errors.cancelHours = ['bookings:errors.number', { min: 0, max: 24 * 60 }];
  const allowedRoles = BOOKING_ROLES.filter((role) => form.allowedRoles.includes(role));
  if (allowedRoles.length === 0) errors.allowedRoles = 'bookings:errors.roles';
  if (Object.keys(errors).length > 0) return { errors, valid: null };
  return {
    errors,
    valid: {
      name: form.name,
      description: form.description,
      place: form.place,
      persons,
      mode: mode!,
      slotMinutes: mode === 'slots' ? slotMinutes! : 120,
      checkInTime: mode === 'nights' ? form.checkInTime : '15:00',
      checkOutTime: mode === 'nights' ? form.checkOutTime : '10:00',
      openingHours,
      leadHours: leadHours!,
      advanceDays: advanceDays!,
      maxUnits: maxUnits!,
      householdLimit,
      householdPeriod: householdPeriod!,
      cancelHours: cancelHours!,
      needsApproval: form.needsApproval,
      allowedRoles,
      fee: form.fee,
    },
  };
}

/** The resources of a property, archived ones last (console) or left out (portal). */
export function resourcesOf(em: Em, property: Property, withArchived: boolean) {
  return em.find(
    BookingResource,
    { property: property.id, ...(withArchived ? {} : { archivedAt: null }) },
    { orderBy: { archivedAt: 'asc nulls first', name: 'asc' } },
  );
}

/**
 * Creates or changes a resource. Changed rules apply to new bookings only: existing ones are
 * kept as they are; the answer says how many live future bookings that concerns, for staff.
 */
export async function saveResource(em: Em, staff: StaffUser, property: Property, resource: BookingResource | null, values: ResourceValues, now: Date) {
  const target = resource ?? em.create(BookingResource, { organization: property.organization, property, ...values, createdAt: now, updatedAt: now });
  if (resource) em.assign(resource, values);
  auditStaffAction(
    em,
    staff,
    resource ? 'booking_resource.updated' : 'booking_resource.created',
    { type: 'BookingResource', id: target.id },
    { name: values.name },
    now,
  );
  await em.flush();
  const kept = resource ? await em.count(Booking, { resource: resource.id, kind: 'booking', status: { $in: [...LIVE_STATUSES] }, endsAt: { $gt: now } }) : 0;
  return { resource: target, kept };
}

/** Archives (or restores) a resource: archived ones are not offered and refuse bookings; existing bookings stay. */
export async function setArchived(em: Em, staff: StaffUser, resource: BookingResource, archived: boolean, now: Date) {
  resource.archivedAt = archived ? now : null;
  auditStaffAction(em, staff, archived ? 'booking_resource.archived' : 'booking_resource.restored', { type: 'BookingResource', id: resource.id }, null, now);
  await em.flush();
}

// ---------------------------------------------------------------------------------------
// Availability: plain rows, never who booked

type LiveRow = { id: string; kind: 'booking' | 'block'; status: string; starts_at: Date; ends_at: Date };

/** The live entries (bookings, requests, blocks) of a resource overlapping [from, to). */
async function liveEntries(em: Em, resourceId: string, from: Date, to: Date): Promise<LiveRow[]> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<LiveRow>`
    select id, kind, status, starts_at, ends_at from booking
    where organization_id = ${organizationId} and resource_id = ${resourceId}
      and status in ('requested', 'confirmed') and starts_at < ${to} and ends_at > ${from}
    order by starts_at`.execute(em.getKysely());
  return rows.map((r) => ({ ...r, starts_at: new Date(r.starts_at), ends_at: new Date(r.ends_at) }));
}

export type CellState = 'free' | 'taken' | 'past' | 'closed';
export type DayAvailability = {
  day: string;
  closed: boolean;
  /** Slots of the day (slot resources). */
  slots: Array<{ from: string; to: string; state: CellState }>;
  /** The night from this day to the next (night resources). */
  night: CellState;
};

/** What is free and "belegt" on these days; a span starting before `now + lead` counts as past. */
export async function availability(em: Em, resource: BookingResource, days: string[], now: Date): Promise<DayAvailability[]> {
  const from = wallInstant(days[0], '00:00');
  const to = wallInstant(addDays(days.at(-1)!, 2), '00:00');
  const live = (await liveEntries(em, resource.id, from, to)).map((r) => ({ startsAt: r.starts_at, endsAt: r.ends_at }));
  const earliest = now.getTime() + resource.leadHours * 3600_000;
  const stateOf = (span: Span): CellState => {
    if (span.startsAt.getTime() < earliest) return 'past';
    return live.some((l) => overlaps(l, span)) ? 'taken' : 'free';
  };
  return days.map((day) => {
    const hours = hoursOf(resource, day);
    if (resource.mode === 'slots') {
      const slots = slotsOfDay(resource, day).map((s) => ({ from: s.from, to: s.to, state: stateOf(s) }));
      return { day, closed: !hours, slots, night: 'closed' as const };
    }
    return { day, closed: !hours, slots: [], night: hours ? stateOf(nightsSpan(resource, day, 1)) : ('closed' as const) };
  });
}

/** The days of the week starting Monday of `day`. */
export function weekDays(day: string): string[] {
  const monday = mondayOf(day);
  return [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(monday, i));
}

// ---------------------------------------------------------------------------------------
// Booking

export type BookingRequest = { day: string; from: string; count: string; note: string };

export function bookingRequestFromBody(body: Record<string, unknown> = {}): BookingRequest {
  return { day: field(body.tag).trim(), from: field(body.von).trim(), count: field(body.anzahl).trim() || '1', note: textareaField(body.notiz).slice(0, 500) };
}

/** The span a request names under the resource's rules (slots, nights, hours, maximum), or the reasons per field. */
export function spanOf(resource: BookingResource, request: BookingRequest): Span {
  if (!isValidDate(request.day)) throw new BookingRefused({ tag: 'bookings:errors.date' });
  const count = whole(request.count, 1, 1000);
  if (count === null) throw new BookingRefused({ anzahl: ['bookings:errors.number', { min: 1, max: resource.maxUnits }] });
  const tooLong = (): never => {
    throw new BookingRefused({ anzahl: [resource.mode === 'slots' ? 'bookings:errors.maxSlots' : 'bookings:errors.maxNights', { count: resource.maxUnits }] });
  };
  if (resource.mode === 'slots') {
    const slots = slotsOfDay(resource, request.day);
    if (slots.length === 0) throw new BookingRefused({ tag: 'bookings:errors.closedDay' });
    const first = slots.findIndex((s) => s.from === request.from);
    if (first < 0) throw new BookingRefused({ von: 'bookings:errors.outsideHours' });
    if (count > resource.maxUnits) tooLong();
    if (first + count > slots.length) throw new BookingRefused({ anzahl: 'bookings:errors.outsideHours' });
    return { startsAt: slots[first].startsAt, endsAt: slots[first + count - 1].endsAt };
  }
  if (!hoursOf(resource, request.day)) throw new BookingRefused({ tag: 'bookings:errors.closedDay' });
  if (count > resource.maxUnits) tooLong();
  return nightsSpan(resource, request.day, count);
}

/** The time rules of a span: not archived, not past, lead time, maximum advance. */
function checkTimes(resource: BookingResource, span: Span, now: Date) {
  if (resource.archivedAt) throw new BookingRefused({ tag: 'bookings:errors.archived' });
  if (span.startsAt.getTime() < now.getTime()) throw new BookingRefused({ tag: 'bookings:errors.past' });
  if (span.startsAt.getTime() < now.getTime() + resource.leadHours * 3600_000)
    throw new BookingRefused({ tag: ['bookings:errors.lead', { count: resource.leadHours }] });
  if (berlinDate(span.startsAt) > addDays(berlinDate(now), resource.advanceDays))
    throw new BookingRefused({ tag: ['bookings:errors.advance', { count: resource.advanceDays }] });
}

/** The exclusion constraint refused the row: someone else holds an overlapping span. */
function isOverlapViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string } } | null;
  return e?.code === '23P01' || e?.cause?.code === '23P01' || /booking_no_overlap/.test(String(e?.message ?? ''));
}

/** Which of the overlapping entries stops a span: a block (with its reason) or a booking. */
async function occupied(em: Em, resource: BookingResource, span: Span): Promise<FieldErrors | null> {
  const live = await liveEntries(em, resource.id, span.startsAt, span.endsAt);
  if (live.some((r) => r.kind === 'block')) return { tag: 'bookings:errors.blocked' };
  if (live.length > 0) return { tag: 'bookings:errors.taken' };
  return null;
}

export type BookInput = {
  resource: BookingResource;
  property: Property;
  user: PortalUser;
  access: PropertyAccess;
  request: BookingRequest;
  /** Staff booking for a resident: confirmed at once. */
  staff?: StaffUser;
  baseUrl: string;
  now: Date;
};

/**
 * Holds, until the transaction ends, the lock under which a resource's bookings and blocks are
 * written. Without it two households reaching for the same span at once each inserted their
 * row and then waited for the other's at the exclusion constraint: PostgreSQL broke that
 * deadlock by failing one of them (a 500 under load instead of "bereits belegt"). Bookings of
 * one resource are few; writing them one after another costs nothing a resident notices.
 */
async function lockResourceBookings(tx: Em, resourceId: string) {
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`booking-resource:${resourceId}`]);
}

/**
 * Books a span for a resident under every rule, or throws BookingRefused with nothing
 * written. The household's bookings are counted, the span checked and the new one written
 * under the resource's lock (lockResourceBookings), so two requests of one household cannot
 * both pass the limit and of two households reaching for the same span exactly one gets it;
 * the exclusion constraint stays the last guarantee.
 */
export async function book(em: Em, input: BookInput): Promise<Booking> {
  const { resource, property, user, access, request, staff, now } = input;
  if (!mayBook(resource, access)) throw new BookingRefused({ tag: 'bookings:errors.notAllowed' });
  const span = spanOf(resource, request);
  checkTimes(resource, span, now);
  const household = await householdOf(em, user, property, now);
  try {
    return await em.transactional(async (tx) => {
      await lockResourceBookings(tx, resource.id);
      if (resource.householdLimit !== null && resource.householdLimit !== undefined) {
        const period = periodAround(resource.householdPeriod, span.startsAt);
        const count = await tx.count(Booking, {
          resource: resource.id,
          householdKey: household,
          kind: 'booking',
          status: { $in: [...LIVE_STATUSES] },
          startsAt: { $gte: period.startsAt, $lt: period.endsAt },
        });
        if (count >= resource.householdLimit)
          throw new BookingRefused({ tag: [`bookings:errors.household_${resource.householdPeriod}`, { count: resource.householdLimit }] });
      }
      const busy = await occupied(tx, resource, span);
      if (busy) throw new BookingRefused(busy);
      const booking = tx.create(Booking, {
        organization: property.organization,
        resource,
        property,
        kind: 'booking',
        status: resource.needsApproval && !staff ? 'requested' : 'confirmed',
        startsAt: span.startsAt,
        endsAt: span.endsAt,
        portalUser: user,
        householdKey: household,
        createdByStaff: staff ?? null,
        note: request.note,
        createdAt: now,
        updatedAt: now,
      });
      if (staff)
        auditStaffAction(
          tx,
          staff,
          'booking.created_for_resident',
          { type: 'Booking', id: booking.id },
          { portalUserId: user.id, resourceId: resource.id },
          now,
        );
      await notifyBooking(tx, booking, resource, property, user, booking.status === 'requested' ? 'requested' : 'confirmed', input.baseUrl, now, {
        always: true,
      });
      await tx.flush();
      return booking;
    });
  } catch (error) {
    if (isOverlapViolation(error)) throw new BookingRefused({ tag: 'bookings:errors.taken' });
    throw error;
  }
}

/** The resident's own bookings in a property: upcoming first, then the last 20 past or ended. */
export async function myBookings(em: Em, user: PortalUser, property: Property, now: Date) {
  const all = await em.find(
    Booking,
    { portalUser: user.id, property: property.id, kind: 'booking' },
    { populate: ['resource'], orderBy: { startsAt: 'asc', id: 'asc' }, limit: 500 },
  );
  const upcoming = all.filter((b) => b.endsAt.getTime() > now.getTime() && LIVE_STATUSES.includes(b.status));
  const other = all
    .filter((b) => !upcoming.includes(b))
    .reverse()
    .slice(0, 20);
  return { upcoming, other };
}

/** Whether the resident may still cancel (before the resource's deadline). */
export function cancellableUntil(booking: Booking, resource: BookingResource): Date {
  return new Date(booking.startsAt.getTime() - resource.cancelHours * 3600_000);
}

/** A resident cancels their own booking before the deadline; afterwards it is refused. */
export async function cancelOwn(em: Em, booking: Booking, property: Property, user: PortalUser, baseUrl: string, now: Date) {
  const resource = await em.findOneOrFail(BookingResource, booking.resource.id);
  if (!LIVE_STATUSES.includes(booking.status)) throw new BookingRefused({ booking: 'bookings:errors.notLive' });
  if (now.getTime() >= booking.startsAt.getTime()) throw new BookingRefused({ booking: 'bookings:errors.started' });
  if (now.getTime() > cancellableUntil(booking, resource).getTime())
    throw new BookingRefused({ booking: ['bookings:errors.cancelDeadline', { count: resource.cancelHours }] });
  booking.status = 'cancelled';
  booking.cancelledAt = now;
  await notifyBooking(em, booking, resource, property, user, 'cancelledByResident', baseUrl, now);
  await em.flush();
}

/** Staff cancel a booking with a reason (the resident is told), or lift a block. */
export async function cancelByStaff(em: Em, staff: StaffUser, booking: Booking, property: Property, reason: string, baseUrl: string, now: Date) {
  if (!LIVE_STATUSES.includes(booking.status)) throw new BookingRefused({ reason: 'bookings:errors.notLive' });
  if (booking.kind === 'booking' && !reason) throw new BookingRefused({ reason: 'bookings:errors.reasonRequired' });
  const resource = await em.findOneOrFail(BookingResource, booking.resource.id);
  booking.status = 'cancelled';
  booking.cancelledAt = now;
  booking.cancelReason = reason.slice(0, 500);
  auditStaffAction(em, staff, booking.kind === 'block' ? 'booking.unblocked' : 'booking.cancelled', { type: 'Booking', id: booking.id }, { reason }, now);
  const user = booking.portalUser ? await em.findOne(PortalUser, booking.portalUser.id) : null;
  if (user && booking.kind === 'booking') await notifyBooking(em, booking, resource, property, user, 'cancelledByStaff', baseUrl, now);
  await em.flush();
}

/** Staff approve or decline a request; the resident is told. A declined request frees its span. */
export async function decide(em: Em, staff: StaffUser, booking: Booking, property: Property, approve: boolean, reason: string, baseUrl: string, now: Date) {
  if (booking.status !== 'requested') throw new BookingRefused({ reason: 'bookings:errors.notRequested' });
  const resource = await em.findOneOrFail(BookingResource, booking.resource.id);
  booking.status = approve ? 'confirmed' : 'declined';
  booking.decidedAt = now;
  if (!approve) booking.cancelReason = reason.slice(0, 500);
  auditStaffAction(em, staff, approve ? 'booking.approved' : 'booking.declined', { type: 'Booking', id: booking.id }, approve ? null : { reason }, now);
  const user = booking.portalUser ? await em.findOne(PortalUser, booking.portalUser.id) : null;
  if (user) await notifyBooking(em, booking, resource, property, user, approve ? 'approved' : 'declined', baseUrl, now);
  await em.flush();
}

export type BlockForm = { fromDay: string; fromTime: string; toDay: string; toTime: string; reason: string };

export function blockFormFromBody(body: Record<string, unknown> = {}): BlockForm {
  return {
    fromDay: field(body.vonTag).trim(),
    fromTime: field(body.vonZeit).trim() || '00:00',
    toDay: field(body.bisTag).trim(),
    toTime: field(body.bisZeit).trim() || '24:00',
    reason: field(body.grund).trim().slice(0, 500),
  };
}

/** Blocks a period (maintenance). Refused when live bookings lie in it: staff cancel those first. */
export async function block(em: Em, staff: StaffUser, resource: BookingResource, property: Property, form: BlockForm, now: Date) {
  const errors: FieldErrors = {};
  if (!isValidDate(form.fromDay)) errors.vonTag = 'bookings:errors.date';
  if (!isValidTime(form.fromTime)) errors.vonZeit = 'bookings:errors.time';
  if (!isValidDate(form.toDay)) errors.bisTag = 'bookings:errors.date';
  if (!isClose(form.toTime)) errors.bisZeit = 'bookings:errors.time';
  if (!form.reason) errors.grund = 'bookings:errors.reasonRequired';
  if (Object.keys(errors).length) throw new BookingRefused(errors);
  const span = { startsAt: wallInstant(form.fromDay, form.fromTime), endsAt: wallInstant(form.toDay, form.toTime) };
  if (span.endsAt.getTime() <= span.startsAt.getTime()) throw new BookingRefused({ bisTag: 'bookings:errors.endBeforeStart' });
  if (span.endsAt.getTime() <= now.getTime()) throw new BookingRefused({ vonTag: 'bookings:errors.past' });
  try {
    return await em.transactional(async (tx) => {
      await lockResourceBookings(tx, resource.id);
      const live = await liveEntries(tx, resource.id, span.startsAt, span.endsAt);
      if (live.length > 0) throw new BookingRefused({ vonTag: ['bookings:errors.blockOverlaps', { count: live.length }] });
      const row = tx.create(Booking, {
        organization: property.organization,
        resource,
        property,
        kind: 'block',
        status: 'confirmed',
        startsAt: span.startsAt,
        endsAt: span.endsAt,
        portalUser: null,
        householdKey: null,
        createdByStaff: staff,
        note: form.reason,
        createdAt: now,
        updatedAt: now,
      });
      auditStaffAction(tx, staff, 'booking.blocked', { type: 'Booking', id: row.id }, { resourceId: resource.id, reason: form.reason }, now);
      await tx.flush();
      return row;
    });
  } catch (error) {
    if (isOverlapViolation(error)) throw new BookingRefused({ vonTag: ['bookings:errors.blockOverlaps', { count: 1 }] });
    throw error;
  }
}

/** The upcoming blocks of a resource. */
export function blocksOf(em: Em, resource: BookingResource, now: Date) {
  return em.find(Booking, { resource: resource.id, kind: 'block', status: 'confirmed', endsAt: { $gt: now } }, { orderBy: { startsAt: 'asc' } });
}

// ---------------------------------------------------------------------------------------
// Console overview

export type OverviewRow = {
  id: string;
  kind: 'booking' | 'block';
  status: string;
  starts_at: Date;
  ends_at: Date;
  resource_id: string;
  resource_name: string;
  user_name: string | null;
  user_email: string | null;
  note: string;
};

/** Every live entry of a property's resources overlapping the week, with who booked it (staff only). */
export async function overviewOf(em: Em, property: Property, firstDay: string, dayCount: number): Promise<OverviewRow[]> {
  const organizationId = scopedOrganization(em);
  const from = wallInstant(firstDay, '00:00');
  const to = wallInstant(addDays(firstDay, dayCount), '00:00');
  const { rows } = await sql<OverviewRow>`
    select b.id, b.kind, b.status, b.starts_at, b.ends_at, b.resource_id, r.name as resource_name, pu.name as user_name, pu.email as user_email, b.note
    from booking b
    join booking_resource r on r.id = b.resource_id and r.organization_id = ${organizationId}
    left join portal_user pu on pu.id = b.portal_user_id and pu.organization_id = ${organizationId}
    where b.organization_id = ${organizationId} and b.property_id = ${property.id}
      and b.status in ('requested', 'confirmed') and b.starts_at < ${to} and b.ends_at > ${from}
    order by b.starts_at, r.name`.execute(em.getKysely());
  return rows.map((r) => ({ ...r, starts_at: new Date(r.starts_at), ends_at: new Date(r.ends_at) }));
}

/** The requests of a property waiting for a decision. */
export async function pendingRequests(em: Em, property: Property) {
  return em.find(Booking, { property: property.id, status: 'requested' }, { populate: ['resource', 'portalUser'], orderBy: { startsAt: 'asc' } });
}

/** The registered residents of a property who may book something there now: staff "für Bewohner buchen". */
export async function bookableResidents(em: Em, property: Property, now: Date): Promise<PortalUser[]> {
  const pairs = await accessPairs(em, scopedOrganization(em), now);
  const ids = pairs
    .filter((p) => p.propertyId === property.id && p.activeRoles.some((r) => (BOOKING_ROLES as readonly string[]).includes(r)))
    .map((p) => p.portalUserId);
  if (ids.length === 0) return [];
  return em.find(PortalUser, { id: { $in: ids }, disabledAt: null, passwordHash: { $ne: null } }, { orderBy: { name: 'asc' } });
}

/** A resident's access to the property for staff booking on their behalf, or null. */
export async function residentAccess(em: Em, property: Property, userId: string, now: Date): Promise<{ user: PortalUser; access: PropertyAccess } | null> {
  const user = /^[0-9a-f-]{36}$/i.test(userId) ? await em.findOne(PortalUser, { id: userId, disabledAt: null, passwordHash: { $ne: null } }) : null;
  if (!user) return null;
  const access = (await propertyAccessOfUsers(em, scopedOrganization(em), property, [user.id], now)).get(user.id);
  return access ? { user, access } : null;
}

export { berlinDate, berlinTime };
