import type { Em } from '../../db/orm.ts';
import {
  COMMON_AREAS,
  Contact,
  Ticket,
  TicketAttachment,
  TicketCategory,
  TicketEntry,
  TICKET_STATUSES,
  Unit,
  contactDisplayName,
  type CommonArea,
  type PortalUser,
  type StaffUser,
  type TicketEntryKind,
  type TicketStatus,
} from '../../entities/index.ts';
import { textareaField, field, type FieldErrors } from '../../http/forms.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { berlinDate, berlinYear } from '../../clock.ts';
import { auditStaffAction } from '../audit/service.ts';
import { runningContractOn, type PropertyAccess } from '../access/service.ts';
import { actorViewer, reopenRight } from './access.ts';
import { notifyResidents, notifyStaffOfNewTicket, notifyStaffOfResidentActivity } from './notify.ts';
import type { PreparedFile } from './photos.ts';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 10_000;
export const COMMENT_MAX = 10_000;

/** Who acts on a ticket: a member of staff (console) or a resident (portal). */
export type Actor = { staff: StaffUser } | { portalUser: PortalUser };

const actorName = (actor: Actor) => ('staff' in actor ? actor.staff.name : actor.portalUser.name);

// ---------------------------------------------------------------------------------------
// Reporting ("Anliegen melden")

/**
 * The form "Anliegen melden" as submitted, trimmed. `location` is "unit:<id>" or "area:<key>";
 * `shareReport`: "Beschreibung und Fotos für Nachbarn sichtbar machen" (common areas only).
 */
export type TicketForm = { category: string; location: string; title: string; description: string; shareReport: boolean };

export function ticketForm(body: Record<string, unknown> | undefined): TicketForm {
  return {
    category: field(body?.category).trim(),
    location: field(body?.location).trim(),
    title: field(body?.title).trim(),
    description: textareaField(body?.description),
    shareReport: field(body?.shareReport) === '1',
  };
}

/** The active Themen of the Verwaltung, in their order (the resident's choice, the console filter). */
export function activeCategories(em: Em) {
  return em.find(TicketCategory, { archivedAt: null }, { orderBy: { position: 'asc', name: 'asc' } });
}

/** The units a resident may name as the place: those of their running contracts there. */
export function reportableUnits(em: Em, access: PropertyAccess) {
  if (access.unitIds.length === 0) return Promise.resolve([] as Unit[]);
  return em.find(Unit, { id: { $in: access.unitIds } }, { orderBy: { number: 'asc' } });
}

export type ValidTicket = { category: TicketCategory; unit: Unit | null; commonArea: CommonArea | null };

/** Checks the report; i18n keys per field, or what it names when it is valid. */
export function validateTicketForm(form: TicketForm, categories: TicketCategory[], units: Unit[]): { errors: FieldErrors; valid?: ValidTicket } {
  const errors: FieldErrors = {};
  const category = categories.find((c) => c.id === form.category);
  if (!category) errors.category = 'tickets:errors.categoryRequired';
  const [kind, value] = form.location.split(':', 2);
  const unit = kind === 'unit' ? (units.find((u) => u.id === value) ?? null) : null;
  const commonArea = kind === 'area' && (COMMON_AREAS as readonly string[]).includes(value) ? (value as CommonArea) : null;
  if (!unit && !commonArea) errors.location = 'tickets:errors.locationRequired';
  // Only neighbours of the house join a concern, and only one about a common area: sharing a
  // unit's report would promise something that never happens.
  if (form.shareReport && unit) errors.shareReport = 'tickets:errors.shareOnlyCommonArea';
  if (!form.title) errors.title = 'tickets:errors.titleRequired';
  else if (form.title.length > TITLE_MAX) errors.title = 'tickets:errors.titleTooLong';
  if (!form.description) errors.description = 'tickets:errors.descriptionRequired';
  else if (form.description.length > DESCRIPTION_MAX) errors.description = 'tickets:errors.descriptionTooLong';
  if (Object.keys(errors).length > 0) return { errors };
  return { errors, valid: { category: category!, unit, commonArea } };
}

/**
 * The contact a report is filed under (whose other logins see it too, and whose phone and
 * address staff see): the resident's contact with a running contract on the chosen unit, or
 * for a common area with a running contract in the property. None when the resident has
 * only a window or a membership there: then the ticket is theirs alone. Not simply the
 * first of their contacts: one may be an old, shared contract (an ex-partner's) that only
 * lies inside the access window.
 */
export function reporterContactFor(em: Em, access: PropertyAccess, valid: ValidTicket, now: Date): Promise<Contact | null> {
  if (access.contactIds.length === 0) return Promise.resolve(null);
  const today = berlinDate(now);
  // An archived contract (deleted in the ERP) runs no more, like in the access rule.
  const running = runningContractOn(today);
  const where = valid.unit ? { unit: valid.unit.id } : { unit: { property: access.property.id, archivedAt: null } };
  return em.findOne(Contact, { id: { $in: access.contactIds }, contracts: { ...where, ...running } }, { orderBy: { id: 'asc' } });
}

/**
 * The next number of a Verwaltung's year. The UPSERT locks the counter row until the
 * caller's transaction ends: a concurrent report waits, and a rolled-back one gives its
 * number back. Call only inside the transaction that inserts the ticket.
 */
export async function nextTicketNumber(tx: Em, organizationId: string, year: number): Promise<number> {
  const [row] = await tx.execute<Array<{ last_number: number }>>(
    `insert into ticket_counter (organization_id, year, last_number) values (?, ?, 1)
     on conflict (organization_id, year) do update set last_number = ticket_counter.last_number + 1
     returning last_number`,
    [organizationId, year],
    'all',
  );
  return Number(row.last_number);
}

/** The columns of the i-th stored file (keys: see storeFilesThenWrite), for the row that records it. */
export function storedFileColumns(file: PreparedFile, keys: string[], i: number) {
  return {
    fileName: file.fileName,
    mimeType: file.mimeType,
    size: file.size,
    storageKey: keys[i * 2],
    thumbKey: file.thumbPath ? keys[i * 2 + 1] : null,
    width: file.width,
    height: file.height,
  };
}

/** Creates the rows of stored files on their entry, in the caller's transaction (keys: see storeFilesThenWrite). */
function attachFiles(tx: Em, ticket: Ticket, entry: TicketEntry, files: PreparedFile[], keys: string[]) {
  files.forEach((file, i) => {
    tx.create(TicketAttachment, { organization: ticket.organization, ticket, entry, ...storedFileColumns(file, keys, i) });
  });
}

/**
 * storeThenWrite for prepared files: each file and its thumbnail, so `keys[2i]` is file i and
 * `keys[2i + 1]` its thumbnail ('' for a PDF, which has none).
 */
export function storeFilesThenWrite<T>(storage: FileStorage, files: PreparedFile[], write: (keys: string[]) => Promise<T>): Promise<T> {
  const paths = files.flatMap((file) => [file.tempPath, file.thumbPath ?? '']);
  const present = paths.filter(Boolean);
  return storeThenWrite(storage, present, (stored) => {
    let next = 0;
    return write(paths.map((p) => (p ? stored[next++] : '')));
  });
}

export type NewTicket = {
  reporter: PortalUser;
  /** The contact the report is filed under (reporterContactFor), for contact data and the couple's other login. */
  reporterContact: Contact | null;
  access: PropertyAccess;
  form: TicketForm;
  valid: ValidTicket;
  files: PreparedFile[];
  now: Date;
  baseUrl: string;
};

/**
 * Files a new concern: number, ticket, its first timeline entry with the photos, and the
 * mail to the responsible staff — files and rows together or nothing (storeThenWrite, one
 * transaction).
 */
export async function createTicket(em: Em, storage: FileStorage, input: NewTicket): Promise<Ticket> {
  const { reporter, access, form, valid, files, now } = input;
  const organization = reporter.organization;
  const year = berlinYear(now);
  return storeFilesThenWrite(storage, files, (keys) =>
    em.transactional(async (tx) => {
      const number = await nextTicketNumber(tx, organization.id, year);
      const ticket = tx.create(Ticket, {
        organization,
        year,
        number,
        property: access.property,
        unit: valid.unit,
        commonArea: valid.commonArea,
        category: valid.category,
        title: form.title,
        description: form.description,
        shareReportWithJoiners: valid.commonArea !== null && form.shareReport,
        reporter,
        reporterContact: input.reporterContact,
        reporterName: input.reporterContact ? contactDisplayName(input.reporterContact) || reporter.name : reporter.name,
        lastActivityAt: now,
        createdAt: now,
      });
      const entry = newEntry(tx, ticket, { portalUser: reporter }, 'created', now);
      attachFiles(tx, ticket, entry, files, keys);
      await notifyStaffOfNewTicket(tx, ticket, input.baseUrl, now);
      await tx.flush();
      return ticket;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Comments, notes and state changes

export type CommentInput = { body: string; internal: boolean; files: PreparedFile[]; now: Date; baseUrl: string };

/** Checks a comment's text; an i18n key, or null when it is fine. */
export function commentProblem(body: string): string | null {
  if (!body) return 'tickets:errors.commentRequired';
  if (body.length > COMMENT_MAX) return 'tickets:errors.commentTooLong';
  return null;
}

/** A timeline entry by staff or a resident, persisted with the caller's flush. */
export function newEntry(
  tx: Em,
  ticket: Ticket,
  actor: Actor,
  kind: TicketEntryKind,
  now: Date,
  fields: { body?: string; internal?: boolean; data?: Record<string, unknown> } = {},
) {
  return tx.create(TicketEntry, {
    organization: ticket.organization,
    ticket,
    kind,
    internal: fields.internal ?? false,
    authorStaff: 'staff' in actor ? actor.staff : null,
    authorPortalUser: 'portalUser' in actor ? actor.portalUser : null,
    authorName: actorName(actor),
    body: fields.body ?? '',
    data: fields.data ?? null,
    createdAt: now,
  });
}

/**
 * A comment (public) or an internal note (staff only) with its files. A public comment by
 * staff mails the reporter and followers; one by a resident mails the staff and the other
 * linked residents who see it (a joiner's: nobody but staff, see access.ts); an internal
 * note mails nobody.
 */
export async function addComment(em: Em, storage: FileStorage, ticket: Ticket, actor: Actor, input: CommentInput): Promise<TicketEntry> {
  const internal = 'staff' in actor && input.internal;
  return storeFilesThenWrite(storage, input.files, (keys) =>
    em.transactional(async (tx) => {
      const entry = newEntry(tx, ticket, actor, internal ? 'note' : 'comment', input.now, { body: input.body, internal });
      attachFiles(tx, ticket, entry, input.files, keys);
      // Residents see the last activity: an internal note must not show as one.
      if (!internal) await tx.nativeUpdate(Ticket, { id: ticket.id }, { lastActivityAt: input.now });
      if (!internal) await notifyParticipants(tx, ticket, entry, actor, input.baseUrl, input.now);
      if ('staff' in actor) auditStaffAction(tx, actor.staff, internal ? 'ticket.note' : 'ticket.comment', { type: 'ticket', id: ticket.id }, null, input.now);
      await tx.flush();
      return entry;
    }),
  );
}

/** Mails about a public entry: staff → the residents; a resident → the staff and the other residents who see it (notify.ts). */
async function notifyParticipants(tx: Em, ticket: Ticket, entry: TicketEntry, actor: Actor, baseUrl: string, now: Date) {
  const except = 'portalUser' in actor ? actor.portalUser.id : null;
  await notifyResidents(tx, ticket, entry, baseUrl, now, except);
  if ('portalUser' in actor) await notifyStaffOfResidentActivity(tx, ticket, entry, baseUrl, now);
}

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

/** What became of a change made against the version the member of staff saw. */
export type ChangeResult = 'changed' | 'unchanged' | 'conflict';

/**
 * Changes status and/or assignee if the ticket is still at `expectedVersion` (the version
 * the form was rendered with). When another member of staff changed it in between, nothing
 * is written and the caller shows the current state with a message ("conflict"): no change
 * overwrites another unseen. The UPDATE's condition on the version makes this hold across
 * processes, without holding a lock while the form is open.
 */
async function changeTicket(
  em: Em,
  ticket: Ticket,
  expectedVersion: number,
  now: Date,
  change: { status?: TicketStatus; assignee?: StaffUser | null },
  record: (tx: Em) => Promise<void>,
): Promise<ChangeResult> {
  const status = change.status ?? ticket.status;
  const closedAt = status === 'done' ? (ticket.status === 'done' ? ticket.closedAt : now) : null;
  return em.transactional(async (tx) => {
    const updated = await tx.nativeUpdate(
      Ticket,
      { id: ticket.id, version: expectedVersion },
      {
        status,
        closedAt,
        ...('assignee' in change ? { assignee: change.assignee?.id ?? null } : {}),
        version: expectedVersion + 1,
        lastActivityAt: now,
      },
    );
    if (updated === 0) return 'conflict';
    await record(tx);
    await tx.flush();
    return 'changed';
  });
}

/**
 * "Status ändern": the reporter and followers are told even without a comment (seed 000,
 * step 3). Setting "Erledigt" closes the ticket; any other status on a closed one reopens it.
 */
export async function changeStatus(
  em: Em,
  ticket: Ticket,
  staff: StaffUser,
  status: TicketStatus,
  expectedVersion: number,
  now: Date,
  baseUrl: string,
): Promise<ChangeResult> {
  if (ticket.mergedInto) return 'unchanged';
  if (expectedVersion === ticket.version && status === ticket.status) return 'unchanged';
  const from = ticket.status;
  return changeTicket(em, ticket, expectedVersion, now, { status }, async (tx) => {
    const entry = newEntry(tx, ticket, { staff }, 'status', now, { data: { from, to: status } });
    auditStaffAction(tx, staff, 'ticket.status', { type: 'ticket', id: ticket.id }, { from, to: status }, now);
    await notifyResidents(tx, ticket, entry, baseUrl, now, null);
  });
}

/** "Zuständiger Mitarbeiter": shown to the reporter in the timeline and on the ticket. */
export async function assignTicket(
  em: Em,
  ticket: Ticket,
  staff: StaffUser,
  assignee: StaffUser | null,
  expectedVersion: number,
  now: Date,
): Promise<ChangeResult> {
  if (expectedVersion === ticket.version && (ticket.assignee?.id ?? null) === (assignee?.id ?? null)) return 'unchanged';
  return changeTicket(em, ticket, expectedVersion, now, { assignee }, async (tx) => {
    const data = { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null };
    auditStaffAction(tx, staff, 'ticket.assign', { type: 'ticket', id: ticket.id }, data, now);
    newEntry(tx, ticket, { staff }, 'assignment', now, { data });
  });
}

/**
 * "Vorgang erneut öffnen" (seed 000, step 6), by the reporter side or by staff, as access.ts
 * reopenRight allows: a closed ticket becomes "Wieder geöffnet" and keeps its whole history.
 * Residents reopening tell the staff; staff reopening tell the residents. 'refused' for an
 * actor who may never reopen it (a joiner: the portal answers 404).
 */
export async function reopenTicket(em: Em, ticket: Ticket, actor: Actor, now: Date, baseUrl: string): Promise<ChangeResult | 'refused'> {
  const right = reopenRight(ticket, await actorViewer(em, ticket, actor, now));
  if (right === 'never') return 'refused';
  if (right === 'not now') return 'unchanged';
  return em.transactional(async (tx) => {
    // reopenRight again, in the database: only a ticket still closed (and not merged) is
    // reopened, so of two reopening at once, one does it.
    const reopened = await tx.execute<Array<{ id: string }>>(
      `update ticket set status = 'reopened', closed_at = null, version = version + 1, last_activity_at = ?
       where id = ? and organization_id = ? and status = 'done' and merged_into_id is null returning id`,
      [now, ticket.id, ticket.organization.id],
      'all',
    );
    if (reopened.length === 0) return 'conflict';
    const entry = newEntry(tx, ticket, actor, 'reopened', now, { data: { from: 'done', to: 'reopened' } });
    await notifyParticipants(tx, ticket, entry, actor, baseUrl, now);
    if ('staff' in actor) auditStaffAction(tx, actor.staff, 'ticket.reopen', { type: 'ticket', id: ticket.id }, null, now);
    await tx.flush();
    return 'changed';
  });
}

/** The version a submitted form was rendered with, or null when missing or malformed. */
export function submittedVersion(value: unknown): number | null {
  const text = field(value);
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}
