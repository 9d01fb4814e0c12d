import {
  Address,
  Announcement,
  Appointment,
  Attachment,
  Invitation,
  InvitationLetterBatch,
  PortalMembership,
  PortalAccessGrant,
  BulletinPost,
  ContactPerson,
  FaqEntry,
  ApiKey,
  AuditLog,
  Contact,
  Contract,
  PortalUser,
  Property,
  ServiceProvider,
  StaffUser,
  Unit,
  Document,
  DocumentType,
  DocumentVersion,
  DocumentShare,
  DocumentDownload,
  DocumentDigest,
  SerialLetter,
  SerialLetterPart,
  AdvisoryBoardMember,
  TicketCategory,
  TicketCounter,
  Ticket,
  TicketEntry,
  TicketAttachment,
  TicketFollower,
  TicketDocument,
  PropertyStaff,
  MasterDataImport,
  MasterDataImportRow,
} from '../entities/index.ts';

/**
 * The one place that scopes queries to the current Verwaltung.
 *
 * A global MikroORM filter, on by default, for every entity that belongs to a Verwaltung.
 * Request middleware sets its parameter from the logged-in user (`scopeToOrganization`);
 * a query on such an entity without it throws, so forgetting the scope fails loudly
 * instead of leaking. Code that must look across Verwaltungen (login by e-mail, jobs)
 * says so explicitly with `filters: { tenant: false }`.
 *
 * Filters do not reach raw SQL or QueryBuilders without `applyFilters`; feature code
 * therefore uses em.find and em.count, except where one set-based statement is needed for
 * speed: the access rule (src/features/access/service.ts), the document rule
 * (src/features/documents/visibility.ts), the digest, download counts and read receipts, and
 * Vorgänge (src/features/tickets: number counter, reopen, merge, followers, linked documents,
 * list counts and choices).
 * Those name the Verwaltung as an explicit condition on every tenant table they read; the
 * other raw queries (throttle, advisory locks, outbox) touch tables of no Verwaltung.
 */
export const TENANT_ENTITIES = [
  StaffUser,
  Property,
  Address,
  Unit,
  Contact,
  Contract,
  ServiceProvider,
  PortalUser,
  ApiKey,
  AuditLog,
  Announcement,
  Appointment,
  FaqEntry,
  ContactPerson,
  BulletinPost,
  Attachment,
  Invitation,
  InvitationLetterBatch,
  PortalMembership,
  PortalAccessGrant,
  DocumentType,
  Document,
  DocumentVersion,
  DocumentShare,
  DocumentDownload,
  DocumentDigest,
  SerialLetter,
  SerialLetterPart,
  AdvisoryBoardMember,
  TicketCategory,
  TicketCounter,
  Ticket,
  TicketEntry,
  TicketAttachment,
  TicketFollower,
  TicketDocument,
  PropertyStaff,
  MasterDataImport,
  MasterDataImportRow,
];

export const tenantFilter = {
  name: 'tenant',
  cond: (args: { organizationId?: string }) => {
    if (!args?.organizationId) throw new Error('tenant filter used without an organization');
    return { organization: args.organizationId };
  },
  entity: TENANT_ENTITIES,
  default: true,
};

/** Scopes every later query of this EntityManager to one Verwaltung. */
export function scopeToOrganization(em: { setFilterParams(name: string, args: object): void }, organizationId: string) {
  em.setFilterParams('tenant', { organizationId });
}

/**
 * The Verwaltung an EntityManager is scoped to. Plain SQL is not reached by the filter, so
 * queries written in SQL take it from here and name it as an explicit condition.
 */
export function scopedOrganization(em: { getFilterParams(name: string): unknown }): string {
  const params = em.getFilterParams('tenant') as { organizationId?: string } | undefined;
  if (!params?.organizationId) throw new Error('query without a Verwaltung: scope the EntityManager first');
  return params.organizationId;
}
