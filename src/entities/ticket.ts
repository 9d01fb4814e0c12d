import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Contact } from './contact.ts';
import { Document } from './document.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property, Unit } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * Vorgänge (SmartTask, seed 000 "Bearbeitung von Anliegen/Vorgängen", seed 004): a resident
 * reports a concern, staff handle it. Who may see which ticket and which of its entries is
 * decided in one place: src/features/tickets/access.ts. Internal notes (`internal`) never
 * leave the console.
 */

/** A Thema the resident chooses ("Schaden/Reparatur", "Nebenkosten", ...), configured per Verwaltung. */
export const TicketCategory = defineEntity({
  name: 'TicketCategory',
  indexes: [{ properties: ['organization', 'position'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    name: p.string().length(100),
    position: p.integer().default(0),
    archivedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type TicketCategory = InferEntity<typeof TicketCategory>;

/**
 * The last number given per Verwaltung and year. Taken with an UPSERT in the transaction that
 * inserts the ticket: the row stays locked until that commits or rolls back, so numbers have
 * neither gaps nor duplicates, however many residents report at once.
 */
export const TicketCounter = defineEntity({
  name: 'TicketCounter',
  tableName: 'ticket_counter',
  properties: {
    organization: () => p.manyToOne(Organization).primary(),
    year: p.integer().primary(),
    lastNumber: p.integer(),
  },
});
export type TicketCounter = InferEntity<typeof TicketCounter>;

/** Neu → In Bearbeitung → Wartet auf Rückmeldung → Erledigt; "Wieder geöffnet" after a reopen. */
export const TICKET_STATUSES = ['new', 'in_progress', 'waiting', 'reopened', 'done'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const OPEN_TICKET_STATUSES: readonly TicketStatus[] = ['new', 'in_progress', 'waiting', 'reopened'];

/** Where in the property, when not in a unit. */
export const COMMON_AREAS = ['staircase', 'basement', 'outdoor', 'parking', 'roof_facade', 'elevator', 'heating', 'other'] as const;
export type CommonArea = (typeof COMMON_AREAS)[number];

/**
 * The columns the Vorgänge search reads with ILIKE '%term%': trigram indexes (pg_trgm,
 * like the Kontakte search) keep it fast at 100,000 tickets.
 */
const TRIGRAM_SEARCH_COLUMNS = ['title', 'reporter_name'] as const;

/**
 * A Vorgang. Exactly one of `unit` and `commonArea` says where. `number` counts per
 * Verwaltung and `year` ("2026-00042", see ticketReference). `version` grows with every
 * status change or assignment, so two members of staff changing it at once cannot
 * overwrite each other unseen (src/features/tickets/service.ts).
 */
export const Ticket = defineEntity({
  name: 'Ticket',
  uniques: [{ properties: ['organization', 'year', 'number'] }],
  indexes: [
    { properties: ['organization', 'status', 'lastActivityAt'] },
    { properties: ['organization', 'lastActivityAt'] },
    // The list's age filter ("älter als 30 Tage") counts by status and creation.
    { properties: ['organization', 'status', 'createdAt'] },
    { properties: ['organization', 'property', 'status'] },
    { properties: ['organization', 'assignee', 'status'] },
    { properties: ['reporter'] },
    ...TRIGRAM_SEARCH_COLUMNS.map((column) => ({
      name: `ticket_${column}_trgm_index`,
      expression: `create index "ticket_${column}_trgm_index" on "ticket" using gin ("${column}" gin_trgm_ops)`,
    })),
  ],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    year: p.integer(),
    number: p.integer(),
    property: () => p.manyToOne(Property),
    unit: () => p.manyToOne(Unit).nullable(),
    commonArea: p.enum(COMMON_AREAS).nullable(),
    category: () => p.manyToOne(TicketCategory).index(),
    title: p.string().length(200),
    description: p.text(),
    /**
     * The reporter's choice when filing a common-area concern: neighbours who join it
     * ("Ich bin auch betroffen") see its description and the report's photos too. Off by
     * default; never set for a unit. What a joiner sees: src/features/tickets/access.ts.
     */
    shareReportWithJoiners: p.boolean().default(false),
    status: p.enum(TICKET_STATUSES).default('new'),
    /** The resident who reported it; their contact (for name, phone, address) as of the report. */
    reporter: () => p.manyToOne(PortalUser),
    reporterContact: () => p.manyToOne(Contact).nullable(),
    /** Kept on the row for the list and its search (the reporter's name at the time). */
    reporterName: p.string().length(200),
    /** "Zuständiger Mitarbeiter": shown to the reporter. */
    assignee: () => p.manyToOne(StaffUser).nullable(),
    /** A duplicate merged into another ticket stays readable and points there. */
    mergedInto: () => p.manyToOne(Ticket).nullable(),
    version: p.integer().default(1),
    lastActivityAt: p.datetime(),
    closedAt: p.datetime().nullable(),
    createdAt: createdAt(),
    entries: () => p.oneToMany(TicketEntry).mappedBy('ticket'),
  },
});
export type Ticket = InferEntity<typeof Ticket>;

/** "2026-00042": the number residents and staff quote. */
export function ticketReference(ticket: { year: number; number: number }): string {
  return `${ticket.year}-${String(ticket.number).padStart(5, '0')}`;
}

/**
 * A ticket number as people type it: "2026-00042", "2026-42", "2026/42", "Nr. 42", "#42" or
 * just "42" (then without a year: the caller decides which); null when it is not one.
 */
export function parseTicketReference(text: string): { year?: number; number: number } | null {
  const match = /^(?:nr\.?\s*|#)?(?:(\d{4})\s*[-/]\s*)?0*(\d{1,9})$/i.exec(text.trim());
  if (!match || Number(match[2]) < 1) return null;
  return { ...(match[1] && { year: Number(match[1]) }), number: Number(match[2]) };
}

/**
 * What happened on a ticket, in order: the timeline. `comment` is public (reporter and
 * followers see it); `note` is internal and never shown or sent to residents. The other
 * kinds are events, public unless `internal` (forwarding to a Dienstleister, linking an
 * internal document). `data` holds the event's details (statuses, names) as they were.
 */
export const TICKET_ENTRY_KINDS = ['created', 'comment', 'note', 'status', 'assignment', 'reopened', 'document', 'forwarded', 'merged', 'follower'] as const;
export type TicketEntryKind = (typeof TICKET_ENTRY_KINDS)[number];

export const TicketEntry = defineEntity({
  name: 'TicketEntry',
  indexes: [{ properties: ['ticket', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade'),
    kind: p.enum(TICKET_ENTRY_KINDS),
    internal: p.boolean().default(false),
    authorStaff: () => p.manyToOne(StaffUser).nullable(),
    authorPortalUser: () => p.manyToOne(PortalUser).nullable(),
    /** The author's name at the time. */
    authorName: p.string().length(200),
    body: p.text().default(''),
    data: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime(),
    attachments: () => p.oneToMany(TicketAttachment).mappedBy('entry'),
  },
});
export type TicketEntry = InferEntity<typeof TicketEntry>;

/**
 * A photo or PDF on a ticket, belonging to the entry it came with (the report or a
 * comment). Photos are stored re-encoded: turned upright, at most 2048 px, without
 * location or camera data; `thumbKey` is a small copy for the timeline.
 */
export const TicketAttachment = defineEntity({
  name: 'TicketAttachment',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    ticket: () => p.manyToOne(Ticket).deleteRule('cascade').index(),
    entry: () => p.manyToOne(TicketEntry).deleteRule('cascade').index(),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.integer(),
    storageKey: p.string().length(64),
    thumbKey: p.string().length(64).nullable(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    createdAt: createdAt(),
  },
});
export type TicketAttachment = InferEntity<typeof TicketAttachment>;

/** "Ich bin auch betroffen": a resident of the property following an open concern. */
export const TicketFollower = defineEntity({
  name: 'TicketFollower',
  tableName: 'ticket_follower',
  properties: {
    ticket: () => p.manyToOne(Ticket).primary().deleteRule('cascade'),
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade').index(),
    organization: () => p.manyToOne(Organization),
    createdAt: p.datetime(),
  },
});
export type TicketFollower = InferEntity<typeof TicketFollower>;

/** A document linked to a ticket. Residents see it only where the document rule lets them. */
export const TicketDocument = defineEntity({
  name: 'TicketDocument',
  tableName: 'ticket_document',
  properties: {
    ticket: () => p.manyToOne(Ticket).primary().deleteRule('cascade'),
    document: () => p.manyToOne(Document).primary().deleteRule('cascade').index(),
    organization: () => p.manyToOne(Organization),
    createdAt: p.datetime(),
  },
});
export type TicketDocument = InferEntity<typeof TicketDocument>;

/** Who gets the e-mail of a new concern in a property: its responsible staff (none set: all staff). */
export const PropertyStaff = defineEntity({
  name: 'PropertyStaff',
  tableName: 'property_staff',
  properties: {
    property: () => p.manyToOne(Property).primary().deleteRule('cascade'),
    staffUser: () => p.manyToOne(StaffUser).primary().deleteRule('cascade').index(),
    organization: () => p.manyToOne(Organization),
  },
});
export type PropertyStaff = InferEntity<typeof PropertyStaff>;
