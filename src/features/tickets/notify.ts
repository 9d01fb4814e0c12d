import type { Em } from '../../db/orm.ts';
import { canLogIn } from '../../entities/common.ts';
import { entrySight, isInternal, reporterSideIds, residentsSeeingTicket } from './access.ts';
import { Property, PropertyStaff, StaffUser, TicketCategory, ticketReference, type PortalUser, type Ticket, type TicketEntry } from '../../entities/index.ts';
import { routeAroundAbsences, substitutesOn } from '../absence/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { notify, type Notice } from '../notifications/notify.ts';

/**
 * Who is told what about a Vorgang, by e-mail through the outbox (in the transaction of
 * the change). The rules, in one place:
 * - a new concern: the property's responsible staff (Liegenschaft › Zuständige
 *   Mitarbeiter), or every member of staff when none is set;
 * - a public comment, a status change, a reopening or a merge by staff: the linked
 *   residents who see the ticket (access.ts residentsSeeingTicket: the reporter, the
 *   reporter's contact's other logins, followers — by the rule of their ticket page);
 * - a comment or reopening by a resident: the assignee (else as for a new concern) and the
 *   other linked residents who see that entry;
 * - an internal note or any other internal entry (access.ts isInternal): nobody. Both
 *   notify functions refuse internal entries themselves, so no caller can send one by mistake.
 * Which resident sees an entry, and whether with its author's name, is access.ts's
 * entrySight — the same answer as their page: a joiner's comment reaches staff only, a
 * joiner is told neither the reporter's name nor the reporter side's comments, and their
 * mail speaks of "ein Anliegen, dem Sie sich angeschlossen haben" (template
 * ticket-update-joined), not "Ihr Anliegen".
 * Only logins that can log in (registered, not disabled) get mail.
 * Staff who are absent (src/features/absence) are replaced by their substitute, whose mail
 * says for whom they receive it.
 */

/** The staff told about new concerns in a property (see above). */
export async function responsibleStaff(em: Em, propertyId: string): Promise<StaffUser[]> {
  const responsible = await em.find(PropertyStaff, { property: propertyId, staffUser: canLogIn }, { populate: ['staffUser'] });
  if (responsible.length > 0) return responsible.map((row) => row.staffUser);
  return em.find(StaffUser, canLogIn, { orderBy: { name: 'asc' } });
}

/** What every ticket mail shows about the ticket. */
async function ticketFacts(em: Em, ticket: Ticket) {
  const [property, category] = await Promise.all([
    em.findOneOrFail(Property, ticket.property.id, { fields: ['name'] }),
    em.findOneOrFail(TicketCategory, ticket.category.id, { fields: ['name'] }),
  ]);
  return { reference: ticketReference(ticket), title: ticket.title, propertyName: property.name, categoryName: category.name };
}

type TicketMail = { user: StaffUser | PortalUser; template: string; data: Record<string, unknown> };

/** The mails, each in its recipient's language, with the ticket's facts (persisted with the caller's flush). */
async function enqueueTicketMails(em: Em, ticket: Ticket, mails: TicketMail[], now: Date) {
  if (mails.length === 0) return;
  const facts = await ticketFacts(em, ticket);
  for (const { user, template, data } of mails) {
    enqueueMail(em, { organization: ticket.organization, to: user.email, template, locale: user.locale, data: { ...facts, ...data, name: user.name } }, now);
  }
}

const staffLink = (baseUrl: string, ticket: Ticket) => `${baseUrl}/verwaltung/vorgaenge/${ticket.id}`;

/** The mails to staff, each absent one's going to their substitute with the names they stand in for. */
async function mailStaff(em: Em, ticket: Ticket, staff: StaffUser[], template: string, data: Record<string, unknown>, now: Date) {
  const routed = await routeAroundAbsences(em, staff, now);
  await enqueueTicketMails(
    em,
    ticket,
    routed.map(({ user, standsInFor }) => ({ user, template, data: { ...data, standsInFor: standsInFor.map((s) => s.name).join(', ') } })),
    now,
  );
}

/** "Neuer Vorgang 2026-00042": to the responsible staff (or their substitutes). */
export async function notifyStaffOfNewTicket(em: Em, ticket: Ticket, baseUrl: string, now: Date) {
  const data = { reporterName: ticket.reporterName, description: ticket.description, link: staffLink(baseUrl, ticket) };
  await mailStaff(em, ticket, await responsibleStaff(em, ticket.property.id), 'ticket-new', data, now);
}

/** A resident commented on or reopened a ticket: to its assignee, else the responsible staff. */
export async function notifyStaffOfResidentActivity(em: Em, ticket: Ticket, entry: TicketEntry, baseUrl: string, now: Date) {
  if (isInternal(entry)) return;
  const assignee = ticket.assignee ? await em.findOne(StaffUser, { id: ticket.assignee.id, ...canLogIn }) : null;
  const recipients = assignee ? [assignee] : await responsibleStaff(em, ticket.property.id);
  const data = { kind: entry.kind, authorName: entry.authorName, body: entry.body, link: staffLink(baseUrl, ticket) };
  await mailStaff(em, ticket, recipients, 'ticket-resident-activity', data, now);
}

/** The assignee's name when the staff author of an entry writes as their substitute (src/features/absence), else null. */
async function authorStandsInFor(em: Em, ticket: Ticket, entry: TicketEntry, now: Date): Promise<string | null> {
  const author = entry.authorStaff?.id;
  const assignee = ticket.assignee?.id;
  if (!author || !assignee || author === assignee) return null;
  const substitute = (await substitutesOn(em, [assignee], now)).get(assignee);
  if (substitute?.id !== author) return null;
  return (await em.findOneOrFail(StaffUser, assignee, { fields: ['name'] })).name;
}

/**
 * A public entry by staff (or a resident): to the residents who see the ticket and can log
 * in, except `exceptUserId`, who see the entry (access.ts: residentsSeeingTicket,
 * entrySight), worded for the reporter side or for a joiner. Never for internal entries.
 */
export async function notifyResidents(em: Em, ticket: Ticket, entry: TicketEntry, baseUrl: string, now: Date, exceptUserId: string | null) {
  if (isInternal(entry)) return;
  const [residents, reporterSide] = await Promise.all([residentsSeeingTicket(em, ticket, now, canLogIn), reporterSideIds(em, ticket)]);
  const common = {
    kind: entry.kind,
    body: entry.body,
    fromStatus: entry.data?.from ?? null,
    toStatus: entry.data?.to ?? null,
    link: `${baseUrl}/portal/liegenschaften/${ticket.property.id}/vorgaenge/${ticket.id}`,
  };
  const notices: Notice[] = [];
  let facts: Awaited<ReturnType<typeof ticketFacts>> | null = null;
  const standsInFor = await authorStandsInFor(em, ticket, entry, now);
  for (const { user, viewer } of residents) {
    const sight = user.id === exceptUserId ? null : entrySight(ticket, viewer, entry, reporterSide);
    if (!sight) continue;
    facts ??= await ticketFacts(em, ticket);
    const template = viewer.relation === 'joiner' ? 'ticket-update-joined' : 'ticket-update';
    notices.push({
      user,
      propertyId: ticket.property.id,
      title: `${facts.reference} ${facts.title}`,
      link: common.link,
      template,
      data: { ...facts, ...common, authorName: sight.author, authorStandsInFor: sight.author ? standsInFor : null },
    });
  }
  // Residents hear of their concerns by their choice, sofort or täglich (src/features/notifications).
  await notify(em, { kind: 'tickets', organization: ticket.organization, baseUrl, now, notices });
}
