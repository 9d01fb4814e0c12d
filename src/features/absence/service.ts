import type { Em } from '../../db/orm.ts';
import { addDays, berlinDate } from '../../clock.ts';
import { canLogIn } from '../../entities/common.ts';
import { StaffAbsence, StaffUser } from '../../entities/index.ts';
import type { FieldMessage } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * Abwesenheit (issue 20), the one rule of who stands in for whom: from the first to the last
 * day of an absence (whole days in Europe/Berlin, both included) the substitute receives what
 * would go to the absent staff member — the mail about a new Vorgang of a property they are
 * responsible for, a resident's comment on a Vorgang assigned to them (src/features/tickets/notify.ts) —
 * and residents see the substitute "in Vertretung für …" where they see the assignee
 * (views/tickets/portal-show.eta). Nobody's absences overlap, no substitute is absent while
 * they stand in, and nobody goes away while standing in for someone else.
 */

/** How far ahead an absence may reach. */
const MAX_DAYS_AHEAD = 730;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export type AbsenceForm = { startsOn: string; endsOn: string; substitute: string };

export function absenceForm(body: Record<string, unknown> | undefined): AbsenceForm {
  const text = (name: string) => (typeof body?.[name] === 'string' ? (body[name] as string).trim() : '');
  return { startsOn: text('startsOn'), endsOn: text('endsOn'), substitute: text('substitute') };
}

/** A real calendar day as YYYY-MM-DD (the date input's value), or null. */
function calendarDay(value: string): string | null {
  if (!DAY.test(value)) return null;
  const date = new Date(`${value}T12:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? value : null;
}

/** The members of staff who may stand in for someone: those who can log in, except that person. */
export function possibleSubstitutes(em: Em, forStaff: StaffUser) {
  return em.find(StaffUser, { ...canLogIn, id: { $ne: forStaff.id } }, { orderBy: { name: 'asc' } });
}

/** A member's absences that have not ended, soonest first, with their substitutes. */
export function currentAndComingAbsences(em: Em, staff: StaffUser, now: Date) {
  return em.find(StaffAbsence, { staffUser: staff.id, endsOn: { $gte: berlinDate(now) } }, { populate: ['substitute'], orderBy: { startsOn: 'asc' } });
}

/** The condition for absences overlapping the days from…to. */
const overlapping = (startsOn: string, endsOn: string) => ({ startsOn: { $lte: endsOn }, endsOn: { $gte: startsOn } });

/**
 * Records an absence of `staff` entered by `actor` (the staff member or an admin), or returns
 * the problems at their fields: days out of order or too far ahead, an unknown substitute,
 * an overlap with the person's own absences, a substitute who is absent at the same time,
 * or a person who stands in for someone else then.
 */
export async function addAbsence(
  em: Em,
  actor: StaffUser,
  staff: StaffUser,
  form: AbsenceForm,
  now: Date,
): Promise<Partial<Record<keyof AbsenceForm, FieldMessage>> | null> {
  const errors: Partial<Record<keyof AbsenceForm, FieldMessage>> = {};
  const today = berlinDate(now);
  const startsOn = calendarDay(form.startsOn);
  const endsOn = calendarDay(form.endsOn);
  if (!startsOn) errors.startsOn = 'absence:errors.dayInvalid';
  if (!endsOn) errors.endsOn = 'absence:errors.dayInvalid';
  if (startsOn && endsOn) {
    if (endsOn < startsOn) errors.endsOn = 'absence:errors.endBeforeStart';
    else if (endsOn < today) errors.endsOn = 'absence:errors.inPast';
    else if (startsOn > addDays(today, MAX_DAYS_AHEAD)) errors.startsOn = 'absence:errors.tooFar';
  }
  const substitute =
    isUuid(form.substitute) && form.substitute !== staff.id
      ? await em.findOne(StaffUser, { ...canLogIn, id: form.substitute, organization: staff.organization.id })
      : null;
  if (!substitute) errors.substitute = form.substitute ? 'absence:errors.substituteUnknown' : 'absence:errors.substituteRequired';
  if (Object.keys(errors).length > 0 || !startsOn || !endsOn || !substitute) return errors;

  const days = overlapping(startsOn, endsOn);
  const [own, substituteAway, standsIn] = await Promise.all([
    em.findOne(StaffAbsence, { staffUser: staff.id, ...days }),
    em.findOne(StaffAbsence, { staffUser: substitute.id, ...days }),
    em.findOne(StaffAbsence, { substitute: staff.id, ...days }, { populate: ['staffUser'] }),
  ]);
  const span = (a: StaffAbsence) => ({ from: germanDay(a.startsOn), to: germanDay(a.endsOn) });
  if (own) errors.startsOn = ['absence:errors.overlap', span(own)];
  else if (standsIn) errors.startsOn = ['absence:errors.standsIn', { ...span(standsIn), name: standsIn.staffUser.name }];
  if (substituteAway) errors.substitute = ['absence:errors.substituteAbsent', { ...span(substituteAway), name: substitute.name }];
  if (Object.keys(errors).length > 0) return errors;

  const absence = em.create(StaffAbsence, { organization: staff.organization, staffUser: staff, substitute, startsOn, endsOn, createdAt: now });
  auditStaffAction(
    em,
    actor,
    'absence.created',
    { type: 'StaffUser', id: staff.id },
    { absenceId: absence.id, startsOn, endsOn, substituteId: substitute.id },
    now,
  );
  await em.flush();
  return null;
}

/** Ends an absence early or removes a planned one. */
export async function removeAbsence(em: Em, actor: StaffUser, absence: StaffAbsence, now: Date) {
  auditStaffAction(
    em,
    actor,
    'absence.removed',
    { type: 'StaffUser', id: absence.staffUser.id },
    { absenceId: absence.id, startsOn: absence.startsOn, endsOn: absence.endsOn },
    now,
  );
  em.remove(absence);
  await em.flush();
}

const germanDay = (day: string) => {
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y}`;
};

/** Who stands in for whom today: absent staff id → their substitute. One query. */
export async function substitutesOn(em: Em, staffIds: string[], now: Date): Promise<Map<string, StaffUser>> {
  if (staffIds.length === 0) return new Map();
  const today = berlinDate(now);
  const rows = await em.find(StaffAbsence, { staffUser: { $in: staffIds }, startsOn: { $lte: today }, endsOn: { $gte: today } }, { populate: ['substitute'] });
  return new Map(rows.map((row) => [row.staffUser.id, row.substitute]));
}

/** A recipient and, when they stand in, for whom. */
export type Routed = { user: StaffUser; standsInFor: StaffUser[] };

/**
 * Staff as they are reached today: each absent one replaced by their substitute (who is
 * never absent then, see addAbsence), each person once, with whom they stand in for.
 * A substitute who can no longer log in leaves the absent person as they were.
 */
export async function routeAroundAbsences(em: Em, staff: StaffUser[], now: Date): Promise<Routed[]> {
  const substitutes = await substitutesOn(
    em,
    staff.map((s) => s.id),
    now,
  );
  const routed = new Map<string, Routed>();
  for (const person of staff) {
    const substitute = substitutes.get(person.id);
    const usable = substitute?.passwordHash && !substitute.disabledAt ? substitute : null;
    const target = usable ?? person;
    const entry = routed.get(target.id) ?? { user: target, standsInFor: [] };
    if (usable) entry.standsInFor.push(person);
    routed.set(target.id, entry);
  }
  return [...routed.values()];
}

/** The assignee as residents see them today: the substitute while the assignee is absent. */
export async function assigneeAsSeen(
  em: Em,
  assignee: StaffUser | null | undefined,
  now: Date,
): Promise<{ member: StaffUser; name: string; standsInFor: string | null } | null> {
  if (!assignee) return null;
  const [routed] = await routeAroundAbsences(em, [assignee], now);
  return { member: routed.user, name: routed.user.name, standsInFor: routed.standsInFor[0]?.name ?? null };
}
