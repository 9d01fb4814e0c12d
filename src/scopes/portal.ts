import type { Request } from 'express';
import { AREA } from '../auth/middleware.ts';
import { Booking, BookingResource, type PortalUser, type Property, type Ticket } from '../entities/index.ts';
import { HttpError, NotFoundError, RedirectRequired, UnauthenticatedError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import { previewAccess, propertyAccess, type PropertyAccess } from '../features/access/service.ts';
import { providerDocumentPath, providerOnly } from '../features/orders/access.ts';
import { residentTicket } from '../features/tickets/access.ts';
import { visibleAnnouncement } from '../features/announcements/service.ts';
import { portalAppointment } from '../features/appointments/service.ts';
import { visibleDocument } from '../features/documents/visibility.ts';
import { mayInviteNeighbours } from '../features/registration/service.ts';
import { communityNavigation } from '../features/community/navigation.ts';
import { portalReportViewer } from '../features/reports/access.ts';
import { seesBoard } from '../features/community/board-access.ts';
import { seesBookings } from '../features/bookings/rules.ts';
import { openLedgerAccount, openPersonalAccount, reportsContext } from '../features/reports/service.ts';
import type { ReportCode } from '../entities/index.ts';
import { PORTAL_BASE, PREVIEW_BASE } from './bases.ts';
import { defineScope, within, type Scope } from './scope.ts';

// The resident portal's scopes. The same portal routers serve residents at /portal and the
// read-only preview at /portal/vorschau (src/app.ts): a resident reaches a property only
// through the access module (src/features/access, the one rule of who sees what), the
// preview only the one property its session was opened for, seen as a resident without
// individual shares sees it. What a scope does not find is a 404.

/** Who is looking: a resident, or staff in the preview (no user, read only). */
export type PortalScope = {
  /** The resident; null in the preview. */
  user: PortalUser | null;
  preview: boolean;
  /** Where the portal's links start: /portal, or /portal/vorschau in the preview. */
  base: string;
};

/** A resident of the portal, never the preview: their own account, profile and actions. */
export type ResidentScope = PortalScope & { user: PortalUser; preview: false };

export type PortalPropertyScope = PortalScope & { property: Property; access: PropertyAccess };
export type ResidentPropertyScope = ResidentScope & { property: Property; access: PropertyAccess };

export { PORTAL_BASE, PREVIEW_BASE };

export const portalScope: Scope<PortalScope> = defineScope('portal', (req) => {
  if (req.preview) return { user: null, preview: true, base: PREVIEW_BASE };
  if (req.viewer?.area !== 'portal') throw new UnauthenticatedError(AREA.portal.loginPath);
  // Read here, not lazily as the console's staff: mapping the resident maps their Verwaltung,
  // whose settings the property pages read off `property.organization` (the access rule maps
  // the property from a row, src/features/access/service.ts), in the layout and the scopes below.
  return { user: req.portalUser!, preview: false, base: PORTAL_BASE };
});

/** The resident of the request; what needs one is a 404 in the preview (whose POSTs are a 403 before). */
export const residentScope: Scope<ResidentScope> = defineScope('resident', async (req, res) => {
  const scope = await portalScope.load(req, res);
  if (!scope.user) throw new NotFoundError('no resident in the preview');
  return { ...scope, user: scope.user, preview: false };
});

/**
 * The property of the URL as this visitor may see it now (src/features/access), or a 404.
 * Publishes the property to the layout (its header and navigation), the one use of
 * res.locals outside this folder's callers.
 */
export const portalPropertyScope = within(portalScope, 'property', async ({ user }, req, res) => {
  const access = await accessOf(req, user);
  res.locals.property = access.property;
  res.locals.access = access;
  // The navigation offers "Berichte" only to whom the rule gives some (src/features/reports/access.ts).
  res.locals.showsReports = portalReportViewer(access) !== null;
  // … and the Schwarzes Brett to whom the board's rule shows it (src/features/community/board-access.ts).
  res.locals.showsBoard = req.preview ? true : seesBoard(access.property.organization, access);
  // And "Buchungen" where the switch is on, to whom may book (src/features/bookings/rules.ts).
  res.locals.showsBookings = seesBookings(access.property.organization, access.property, access, Boolean(req.preview));
  // "Eigentümer / Nachbarn" and "Nachrichten" with the unread count (src/features/community/neighbour-access.ts).
  res.locals.community = await communityNavigation(req.em, access.property, access, user);
  return { property: access.property, access };
});

async function accessOf(req: Request, user: PortalUser | null): Promise<PropertyAccess> {
  const propertyId = req.params.propertyId;
  if (req.preview) {
    if (req.preview.property.id !== propertyId) throw new NotFoundError('preview of another property');
    return previewAccess(req.preview.property);
  }
  const access = isUuid(propertyId) ? await propertyAccess(req.em, user!, propertyId, req.deps.clock.now()) : null;
  if (!access) throw new NotFoundError(`portal user ${user!.id} has no access to ${propertyId}`);
  // A Dienstleister's login has its own pages (/portal/auftraege): the property's pages are not
  // for it. Mails about a document (sent at once or in the digest) link to the residents'
  // download; that link leads a provider login to its own, which applies its own rule.
  if (providerOnly(access)) {
    const documentId = req.params.documentId;
    if (req.method === 'GET' && typeof documentId === 'string') throw new RedirectRequired(providerDocumentPath(String(propertyId), documentId));
    throw new NotFoundError(`portal user ${user!.id} is only a Dienstleister in ${propertyId}`);
  }
  return access;
}

/**
 * Content shared with the whole property (details of Mitteilungen, Termine, the Schwarzes
 * Brett, attachments): a user whose access comes from a contract inside an access window
 * alone (before it starts, after it ends: Rollen & Zugriffsrechte, seed 002) sees only what
 * was shared with them personally, and gets a 404 here, as if the item did not exist.
 */
export const generalContentScope = within(portalPropertyScope, 'general content', ({ access }) => {
  if (!access.seesGeneralContent) throw new NotFoundError('general content outside an active contract');
  return {};
});

/** A section's list page answered for a window-only user with an explanation instead of the items. */
export class PersonalOnly extends HttpError {
  readonly section: PortalSection;
  constructor(section: PortalSection) {
    super(200, 'access:personalOnly', `section ${section} outside an active contract`);
    this.section = section;
  }
}

export type PortalSection = 'announcements' | 'appointments' | 'bulletin';

/** The list page of a section of general content (see generalContentScope and PersonalOnly). */
export function sectionScope(section: PortalSection) {
  return within(portalPropertyScope, `section ${section}`, ({ access }) => {
    if (!access.seesGeneralContent) throw new PersonalOnly(section);
    return {};
  });
}

/** The property of the URL for its resident, never the preview (their own reports, invitations). */
export const residentPropertyScope = within(portalPropertyScope, 'resident', async (_scope, req, res) => residentScope.load(req, res));

/** A Vorgang of the URL's property that this resident may see (src/features/tickets/access.ts), or a 404. */
export const residentTicketScope = within(residentPropertyScope, 'ticket', async ({ user, access }, req): Promise<{ ticket: Ticket }> => {
  const ticketId = req.params.ticketId;
  const ticket = isUuid(ticketId) ? await residentTicket(req.em, user, access, ticketId) : null;
  if (!ticket) throw new NotFoundError(`ticket ${ticketId} not visible to ${user.id}`);
  return { ticket };
});

/** "Nachbarn einladen": only with the setting on and a running contract there (never a Bewohner); else nothing to find. */
export const neighbourInvitationScope = within(residentPropertyScope, 'neighbour invitations', ({ user, access }) => {
  if (!mayInviteNeighbours(user.organization, access)) throw new NotFoundError('neighbour invitations not allowed here');
  return {};
});

// Berichte (src/features/reports): owners, the Beirat and Hausbesitzer; everyone else a 404.

/** The Berichte of the URL's property for its owner or Hausbesitzer (src/features/reports/access.ts), with the chosen Wirtschaftsjahr. */
export const portalReportsScope = within(residentPropertyScope, 'reports', async ({ access, property }, req) => {
  const viewer = portalReportViewer(access);
  if (!viewer) throw new NotFoundError('no Berichte for this role');
  return { reports: await reportsContext(req.em, property, viewer, req.query, req.deps.clock.now()) };
});

/** One report, when it is published to this viewer (and not the Leerstandsliste of a WEG). */
export const portalReportScope = (code: ReportCode) =>
  within(portalReportsScope, `report ${code}`, ({ reports }) => {
    if (!reports.reports.includes(code)) throw new NotFoundError(`report ${code} not visible here`);
    return {};
  });

/** A Kontoauszug Mieter / Eigentümer: the viewer's own personal account (every one for a Hausbesitzer), or a 404. */
export const portalPersonalAccountScope = within(portalReportScope('statement'), 'personal account', async ({ reports }, req) => ({
  personalAccount: await openPersonalAccount(req.em, reports, String(req.params.personalAccountId)),
}));

/** A Kontoauszug Sachkonto of the URL's property. */
export const portalLedgerAccountScope = within(portalReportScope('statement'), 'ledger account', async ({ reports }, req) => ({
  ledgerAccount: await openLedgerAccount(req.em, reports, String(req.params.ledgerAccountId)),
}));

// Buchungen (src/features/bookings): where the switch is on, for the roles that book, and
// read-only in the preview; never for a Dienstleister login. Otherwise nothing to find.

export const bookingsScope = within(portalPropertyScope, 'bookings', ({ property, access, preview }) => {
  if (!seesBookings(property.organization, property, access, preview)) throw new NotFoundError('no Buchungen here');
  return {};
});

/** A resource of the URL's property (archived ones too: booking them is refused with a reason). */
export const portalResourceScope = within(bookingsScope, 'bookingResource', async ({ property }, req) => {
  const resourceId = req.params.resourceId;
  const resource = isUuid(resourceId) ? await req.em.findOne(BookingResource, { id: resourceId, property: property.id }) : null;
  if (!resource) throw new NotFoundError(`resource ${resourceId} not in ${property.id}`);
  return { resource };
});

/** Booking a resource: the resident of the request, never the preview (whose POSTs are a 403 before). */
export const residentResourceScope = within(portalResourceScope, 'resident', async (_scope, req, res) => residentScope.load(req, res));

/** "Meine Buchungen": the resident of the request, never the preview. */
export const myBookingsScope = within(bookingsScope, 'resident', async (_scope, req, res) => residentScope.load(req, res));

/** One of the resident's own bookings in the URL's property. */
export const ownBookingScope = within(myBookingsScope, 'booking', async ({ property, user }, req) => {
  const bookingId = req.params.bookingId;
  const booking = isUuid(bookingId) ? await req.em.findOne(Booking, { id: bookingId, property: property.id, portalUser: user.id, kind: 'booking' }) : null;
  if (!booking) throw new NotFoundError(`booking ${bookingId} not of ${user.id}`);
  return { booking };
});

// Content of the property, as its residents (and the preview) see it.

/** A published Mitteilung of the URL's property (Mitteilungen reach everyone who sees general content). */
export const portalAnnouncementScope = within(generalContentScope, 'announcement', async ({ property }, req) => {
  const announcement = await visibleAnnouncement(req.em, property.id, String(req.params.announcementId));
  if (!announcement) throw new NotFoundError(`announcement ${req.params.announcementId} not visible`);
  return { announcement };
});

/** A Termin of the URL's property (the calendar shows general content). */
export const portalAppointmentScope = within(generalContentScope, 'appointment', async ({ property }, req) => ({
  appointment: await portalAppointment(req.em, property.id, String(req.params.appointmentId)),
}));

/**
 * A published document the visitor sees in the URL's property now (the rule of
 * src/features/documents/visibility.ts; the preview sees property, address and group shares).
 * Every download asks again, so a link kept from a mail stops working as soon as the
 * document is withdrawn or no longer reaches the user.
 */
export const portalDocumentScope = within(portalPropertyScope, 'document', async ({ user, access }, req) => {
  const documentId = req.params.documentId;
  const document = isUuid(documentId) ? await visibleDocument(req.em, { user, access }, documentId) : null;
  if (!document) throw new NotFoundError(`document ${documentId} not visible here`);
  return { document };
});

/** Helpers for the templates of a property's pages: its base URL. */
export function propertyBase(scope: PortalPropertyScope): string {
  return `${scope.base}/liegenschaften/${scope.property.id}`;
}
