import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import { canLogIn } from '../../entities/common.ts';
import { propertyAccess } from '../access/service.ts';
import { entrySight, reporterSideIds, residentViewer, type TicketViewer } from './access.ts';
import { PortalUser, Property, PropertyStaff, StaffUser, TicketCategory, TicketFollower, ticketReference, type Ticket, type TicketEntry } from '../../entities/index.ts';
import { enqueueMail } from '../mail/outbox.ts';

/**
 * Who is told what about a Vorgang, by e-mail through the outbox (in the transaction of
 * the change). The rules, in one place:
 * - a new concern: the property's responsible staff (Liegenschaft › Zuständige
 *   Mitarbeiter), or every member of staff when none is set;
 * - a public comment, a status change, a reopening or a merge by staff: the linked
 *   residents (linkedResidents: reporter, the reporter's contact's other logins, followers);
 * - a comment or reopening by a resident: the assignee (else as for a new concern) and the
 *   other linked residents who see that entry;
 * - an internal note or any other internal entry: nobody. `notifyResidents` refuses
 *   internal entries itself, so no caller can send one by mistake.
 * Which resident sees an entry, and whether with its author's name, is access.ts's
 * entrySight — the same answer as their page: a joiner's comment reaches staff only, a
 * joiner is told neither the reporter's name nor the reporter side's comments, and their
 * mail speaks of "ein Anliegen, dem Sie sich angeschlossen haben" (template
 * ticket-update-joined), not "Ihr Anliegen".
 * Only logins that can log in (registered, not disabled) get mail.
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

/** The same mail to each recipient. */
function mailEach(em: Em, ticket: Ticket, recipients: Array<StaffUser | PortalUser>, template: string, data: Record<string, unknown>, now: Date) {
  return enqueueTicketMails(em, ticket, recipients.map((user) => ({ user, template, data })), now);
}

const staffLink = (baseUrl: string, ticket: Ticket) => `${baseUrl}/verwaltung/vorgaenge/${ticket.id}`;

/** "Neuer Vorgang 2026-00042": to the responsible staff. */
export async function notifyStaffOfNewTicket(em: Em, ticket: Ticket, baseUrl: string, now: Date) {
  const data = { reporterName: ticket.reporterName, description: ticket.description, link: staffLink(baseUrl, ticket) };
  await mailEach(em, ticket, await responsibleStaff(em, ticket.property.id), 'ticket-new', data, now);
}

/** A resident commented on or reopened a ticket: to its assignee, else the responsible staff. */
export async function notifyStaffOfResidentActivity(em: Em, ticket: Ticket, entry: TicketEntry, baseUrl: string, now: Date) {
  if (entry.internal) return;
  const assignee = ticket.assignee ? await em.findOne(StaffUser, { id: ticket.assignee.id, ...canLogIn }) : null;
  const recipients = assignee ? [assignee] : await responsibleStaff(em, ticket.property.id);
  const data = { kind: entry.kind, authorName: entry.authorName, body: entry.body, link: staffLink(baseUrl, ticket) };
  await mailEach(em, ticket, recipients, 'ticket-resident-activity', data, now);
}

/** A resident who gets a ticket's mails, and how they stand to it (access.ts). */
export type LinkedResident = { user: PortalUser; viewer: TicketViewer };

/**
 * The residents linked to a ticket who get its mails: its reporter, the other logins of the
 * reporter's contact (a couple shares one) and its followers — those who can log in and
 * still have access to the property (a former tenant whose access window has closed gets
 * no mail about a ticket the portal no longer shows them).
 */
export async function linkedResidents(em: Em, ticket: Ticket, now: Date): Promise<LinkedResident[]> {
  const followers = await em.find(TicketFollower, { ticket: ticket.id }, { fields: ['portalUser'] });
  const linked: FilterQuery<PortalUser>[] = [{ id: { $in: [ticket.reporter.id, ...followers.map((f) => f.portalUser.id)] } }];
  if (ticket.reporterContact) linked.push({ contacts: ticket.reporterContact.id });
  const users = await em.find(PortalUser, { $or: linked, ...canLogIn }, { orderBy: { name: 'asc' } });
  const withAccess: LinkedResident[] = [];
  for (const user of users) {
    // The same rule as the portal's (access.ts): reporters while they have access, followers while they see general content.
    const access = await propertyAccess(em, user, ticket.property.id, now);
    if (!access) continue;
    const viewer = residentViewer(ticket, user, access);
    if (viewer.relation === 'reporter' || access.seesGeneralContent) withAccess.push({ user, viewer });
  }
  return withAccess;
}

/**
 * A public entry by staff (or a resident): to the linked residents except `exceptUserId`
 * who see it (access.ts: entrySight), worded for the reporter side or for a joiner. Never
 * for internal entries.
 */
export async function notifyResidents(em: Em, ticket: Ticket, entry: TicketEntry, baseUrl: string, now: Date, exceptUserId: string | null) {
  if (entry.internal || entry.kind === 'note') return;
  const [residents, reporterSide] = await Promise.all([linkedResidents(em, ticket, now), reporterSideIds(em, ticket)]);
  const common = {
    kind: entry.kind,
    body: entry.body,
    fromStatus: entry.data?.from ?? null,
    toStatus: entry.data?.to ?? null,
    link: `${baseUrl}/portal/liegenschaften/${ticket.property.id}/vorgaenge/${ticket.id}`,
  };
  const mails: TicketMail[] = [];
  for (const { user, viewer } of residents) {
    const sight = user.id === exceptUserId ? null : entrySight(ticket, viewer, entry, reporterSide);
    if (!sight) continue;
    const template = viewer.relation === 'joiner' ? 'ticket-update-joined' : 'ticket-update';
    mails.push({ user, template, data: { ...common, authorName: sight.author } });
  }
  await enqueueTicketMails(em, ticket, mails, now);
}
