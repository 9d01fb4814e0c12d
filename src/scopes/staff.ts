import type { EntityName, FilterQuery, FindOneOptions } from '@mikro-orm/core';
import type { Request } from 'express';
import { AREA } from '../auth/middleware.ts';
import type { StaffViewer } from '../auth/session.ts';
import type { Em } from '../db/orm.ts';
import {
  Address,
  Announcement,
  ApiKey,
  Appointment,
  Booking,
  BookingResource,
  BulletinPost,
  Contact,
  ContactPerson,
  Contract,
  Document,
  DocumentType,
  DocumentVersion,
  FaqEntry,
  InvitationLetterBatch,
  MasterDataImport,
  PortalMembership,
  Property,
  PropertyOwnerLink,
  type ReportCode,
  SerialLetter,
  ServiceProvider,
  StaffUser,
  Ticket,
  TicketAttachment,
  TicketCategory,
  Unit,
} from '../entities/index.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import { kindNamed } from '../features/masterdata/kinds/index.ts';
import { STAFF_REPORT_VIEWER } from '../features/reports/access.ts';
import { openLedgerAccount, openPersonalAccount, reportsContext } from '../features/reports/service.ts';
import type { ErpOwned } from '../features/masterdata/ownership.ts';
import { defineScope, within, type Scope } from './scope.ts';

// The console's scopes: every record a staff member reaches is looked up among their
// Verwaltung's (the condition on `organization`, besides the tenant filter that scopes the
// request's EntityManager, src/db/tenant.ts), and a record below another through that parent
// (the unit among the property's units). The route map in the README names the scope of
// every console URL.

/**
 * The logged-in staff member and their Verwaltung: the root of every console scope. `staff`
 * is the entity, mapped when a handler first reads it; `viewer` the same person as plain
 * values, enough for a page that only shows a form or reads a setting.
 */
export type StaffScope = { readonly staff: StaffUser; viewer: StaffViewer; organizationId: string };

export const staffScope: Scope<StaffScope> = defineScope('staff', (req) => {
  const viewer = req.viewer;
  if (viewer?.area !== 'staff') throw new UnauthenticatedError(AREA.staff.loginPath);
  return {
    get staff() {
      return req.staff!;
    },
    viewer,
    organizationId: viewer.organization.id,
  };
});

/** An administrator of the Verwaltung (Administration, Stammdaten import, API keys). */
export const adminScope: Scope<StaffScope> = defineScope('admin', async (req, res) => {
  const scope = await staffScope.load(req, res);
  if (scope.staff.role !== 'admin') throw new ForbiddenError('errors.adminOnly');
  return scope;
});

/**
 * The record of `entity` with the id in the URL parameter `param`, among those that match
 * `where` (its parent, its Verwaltung), or a 404. A malformed id is a 404 too, never a
 * database error, so URLs reveal nothing.
 */
export async function findInScope<T extends object>(
  req: Request,
  entity: EntityName<T>,
  param: string,
  where: FilterQuery<T>,
  // biome-ignore lint/suspicious/noExplicitAny: MikroORM types the populate hint per call; any entity is allowed here
  options?: FindOneOptions<T, any>,
): Promise<T> {
  const id = req.params[param];
  if (!isUuid(id)) throw new NotFoundError(`malformed ${param} ${String(id)}`);
  const found = await (req.em as Em).findOne(entity, { $and: [{ id }, where] } as never, options as never);
  if (!found) throw new NotFoundError(`${param} ${id} not in scope`);
  return found as T;
}

/** A record of the staff member's Verwaltung, by the id in URL parameter `param`. */
function ofVerwaltung<T extends { organization: unknown }, K extends string>(
  key: K,
  entity: EntityName<T>,
  param: string,
  // biome-ignore lint/suspicious/noExplicitAny: MikroORM types the populate hint per call; any entity is allowed here
  options?: FindOneOptions<T, any>,
  parent: Scope<StaffScope> = staffScope,
): Scope<StaffScope & Record<K, T>> {
  return within(
    parent,
    key,
    async ({ organizationId }, req) =>
      ({ [key]: await findInScope(req, entity, param, { organization: organizationId } as FilterQuery<T>, options) }) as Record<K, T>,
  );
}

/** Liegenschaft /verwaltung/liegenschaften/:propertyId (archived ones too: they keep their page). */
export const propertyScope = ofVerwaltung('property', Property, 'propertyId');

/** An address of the URL's property (…/adressen/:addressId), archived ones too. */
export const addressScope = within(propertyScope, 'address', async ({ property }, req) => ({
  address: await findInScope(req, Address, 'addressId', { property: property.id }),
}));

/** A unit of the URL's property (…/einheiten/:unitId), archived ones too, with its address. */
export const unitScope = within(propertyScope, 'unit', async ({ property }, req) => ({
  unit: await findInScope(req, Unit, 'unitId', { property: property.id }, { populate: ['address'] }),
}));

/** A unit of the URL's property that is not archived: where documents can still be uploaded. */
export const activeUnitScope = within(propertyScope, 'unit', async ({ property }, req) => ({
  unit: await findInScope(req, Unit, 'unitId', { property: property.id, archivedAt: null }, { populate: ['address'] }),
}));

/** A Bewohner's (or another contract-less login's) membership of the URL's property. */
export const membershipScope = within(propertyScope, 'membership', async ({ property }, req) => ({
  membership: await findInScope(req, PortalMembership, 'membershipId', { property: property.id }),
}));

/** A bookable resource of the URL's property (Ressourcen & Räume), archived ones too. */
export const bookingResourceScope = within(propertyScope, 'bookingResource', async ({ property }, req) => ({
  resource: await findInScope(req, BookingResource, 'resourceId', { property: property.id }),
}));

/** A booking or block of the URL's property. */
export const consoleBookingScope = within(propertyScope, 'booking', async ({ property }, req) => ({
  booking: await findInScope(req, Booking, 'bookingId', { property: property.id }),
}));

export const contactScope = ofVerwaltung('contact', Contact, 'contactId');
export const contractScope = ofVerwaltung('contract', Contract, 'contractId', { populate: ['unit', 'unit.property', 'contacts'] });
export const serviceProviderScope = ofVerwaltung('provider', ServiceProvider, 'serviceProviderId');
export const documentScope = ofVerwaltung('document', Document, 'documentId', { populate: ['property', 'unit', 'type', 'createdBy', 'createdByApiKey'] });
/** An earlier (or the current) file of the URL's document (…/versionen/:versionId). */
export const documentVersionScope = within(documentScope, 'version', async ({ document }, req) => ({
  version: await findInScope(req, DocumentVersion, 'versionId', { document: document.id }),
}));
/** An owner of the URL's property (…/beirat/:contactId): only owners can sit on its Verwaltungsbeirat. */
/** The Berichte of a property in the console: every report, as the owners see it, with names. */
export const consoleReportsScope = within(propertyScope, 'reports', async ({ property }, req) => ({
  reports: await reportsContext(req.em, property, STAFF_REPORT_VIEWER, req.query, req.deps.clock.now()),
}));
/** One report of the property (no Leerstandsliste for a WEG). */
export const consoleReportScope = (code: ReportCode) =>
  within(consoleReportsScope, `report ${code}`, ({ reports }) => {
    if (!reports.reports.includes(code)) throw new NotFoundError(`report ${code} not offered here`);
    return {};
  });
export const consolePersonalAccountScope = within(consoleReportScope('statement'), 'personal account', async ({ reports }, req) => ({
  personalAccount: await openPersonalAccount(req.em, reports, String(req.params.personalAccountId)),
}));
export const consoleLedgerAccountScope = within(consoleReportScope('statement'), 'ledger account', async ({ reports }, req) => ({
  ledgerAccount: await openLedgerAccount(req.em, reports, String(req.params.ledgerAccountId)),
}));

/** A contact of the Verwaltung to link as Hausbesitzer of the URL's property (…/hausbesitzer/kontakte/:contactId). */
export const ownerCandidateScope = within(consoleReportsScope, 'contact', async ({ organizationId }, req) => ({
  contact: await findInScope(req, Contact, 'contactId', { organization: organizationId }),
}));
/** A Hausbesitzer link of the URL's property that is not archived (…/hausbesitzer/:ownerLinkId). */
export const propertyOwnerLinkScope = within(consoleReportsScope, 'ownerLink', async ({ property }, req) => ({
  ownerLink: await findInScope(req, PropertyOwnerLink, 'ownerLinkId', { property: property.id, archivedAt: null }, { populate: ['contact'] }),
}));
export const propertyOwnerScope = within(propertyScope, 'owner', async ({ property }, req) => ({
  contact: await findInScope(req, Contact, 'contactId', { contracts: { kind: 'ownership', unit: { property: property.id } } }),
}));
export const ticketScope = ofVerwaltung('ticket', Ticket, 'ticketId', {
  populate: ['property', 'unit', 'category', 'assignee', 'reporter', 'reporterContact', 'mergedInto'],
});
/** A file of the URL's Vorgang (…/anhaenge/:attachmentId): another Vorgang's file is a 404. */
export const ticketAttachmentScope = within(ticketScope, 'attachment', async ({ ticket }, req) => ({
  attachment: await findInScope(req, TicketAttachment, 'attachmentId', { ticket: ticket.id }),
}));
export const serialLetterScope = ofVerwaltung('serialLetter', SerialLetter, 'serialLetterId', {
  populate: ['property', 'type', 'createdBy', 'parts', 'parts.contact', 'parts.document'],
});
/** A letter batch of invitations (…/einladungsbriefe/:letterBatchId): it holds codes in clear text, so staff of its Verwaltung only. */
export const invitationLetterBatchScope = ofVerwaltung('batch', InvitationLetterBatch, 'letterBatchId');

// Neuer Inhalt (announcements, appointments, FAQ, Ansprechpartner, Schwarzes Brett).
export const announcementScope = ofVerwaltung('announcement', Announcement, 'announcementId', { populate: ['properties', 'attachments'] });
export const appointmentScope = ofVerwaltung('appointment', Appointment, 'appointmentId', { populate: ['properties'] });
export const faqEntryScope = ofVerwaltung('entry', FaqEntry, 'faqId', { populate: ['property'] });
export const contactPersonScope = ofVerwaltung('person', ContactPerson, 'contactPersonId', { populate: ['property'] });
export const bulletinPostScope = ofVerwaltung('post', BulletinPost, 'postId', { populate: ['property', 'attachments'] });

// Administration (administrators only).
export const staffMemberScope = ofVerwaltung('member', StaffUser, 'staffId', undefined, adminScope);
export const documentTypeScope = ofVerwaltung('type', DocumentType, 'documentTypeId', undefined, adminScope);
export const ticketCategoryScope = ofVerwaltung('category', TicketCategory, 'categoryId', undefined, adminScope);
export const apiKeyScope = ofVerwaltung('apiKey', ApiKey, 'apiKeyId', undefined, adminScope);
export const masterDataImportScope = ofVerwaltung('masterDataImport', MasterDataImport, 'importId', { populate: ['createdBy'] }, adminScope);
/** Any master-data record by its kind's name and id (…/:kind/:recordId, "Vom ERP lösen"); an unknown kind is a 404. */
export const masterDataRecordScope = within(adminScope, 'masterDataRecord', async ({ organizationId }, req) => {
  const kind = typeof req.params.kind === 'string' ? kindNamed(req.params.kind) : undefined;
  if (!kind) throw new NotFoundError(`unknown master-data kind ${String(req.params.kind)}`);
  const record = (await findInScope(req, kind.entity, 'recordId', { organization: organizationId })) as ErpOwned & { id: string };
  return { kind, record };
});
