import {
  AnnouncementOpening,
  AuditLog,
  ContactChangeRequest,
  contactDisplayName,
  DocumentDownload,
  NotificationDigest,
  NotificationItem,
  NotificationSetting,
  OneTimeToken,
  PortalAccessGrant,
  PortalMembership,
  Session,
  Ticket,
  TicketAttachment,
  TicketEntry,
  TicketFollower,
  ticketReference,
} from '../../entities/index.ts';
import { invalidateUserSessions } from '../../auth/session.ts';
import { accessChanged } from '../access/cache.ts';
import { type ExportFile, registerDeletionHook, registerExportKind } from './export-registry.ts';

/** How a deleted resident is named where their Vorgänge and comments stay. */
export const FORMER_USER_NAME = 'ehemalige/r Nutzer/in';

// What Hausportal itself holds about a resident; each later feature registers its own kinds
// beside its code (./export-registry.ts).

const all = { filters: { tenant: false } } as const;

registerExportKind({
  key: 'profil',
  async collect({ user }) {
    const files: ExportFile[] = user.photoKey ? [{ name: 'profilfoto.jpg', storageKey: user.photoKey }] : [];
    return {
      json: {
        email: user.email,
        name: user.name,
        anzeigename: user.displayName,
        avatar: user.avatar,
        sprache: user.locale,
        registriertAm: user.createdAt,
        ersteFragenBeantwortetAm: user.onboardedAt,
        letzteAnmeldung: user.lastLoginAt,
        profilfoto: user.photoKey ? 'dateien/profil/profilfoto.jpg' : null,
        verwaltung: user.organization.name,
      },
      files,
    };
  },
});

registerExportKind({
  key: 'kontakte',
  async collect({ user }) {
    const contacts = await user.contacts.loadItems();
    return {
      json: contacts.map((c) => ({
        name: contactDisplayName(c),
        email: c.email,
        telefon: c.phone,
        strasse: c.street,
        plz: c.postalCode,
        ort: c.city,
        land: c.country,
        kontaktweg: c.contactPreference,
        wohntInDerLiegenschaft: c.livesInProperty,
        kontaktdatenBestaetigtAm: c.contactDataConfirmedAt,
      })),
    };
  },
});

registerExportKind({
  key: 'kontaktdaten-vorschlaege',
  async collect({ em, user }) {
    const proposals = await em.find(ContactChangeRequest, { portalUser: user.id }, { ...all, orderBy: { createdAt: 'asc' } });
    return {
      json: proposals.map((c) => ({
        telefon: c.phone,
        strasse: c.street,
        plz: c.postalCode,
        ort: c.city,
        status: c.status,
        vorgeschlagenAm: c.createdAt,
        entschiedenAm: c.decidedAt,
      })),
    };
  },
});

registerExportKind({
  key: 'benachrichtigungen',
  async collect({ em, user }) {
    const settings = await em.find(NotificationSetting, { portalUser: user.id }, all);
    return { json: settings.map((s) => ({ art: s.kind, haeufigkeit: s.frequency, geaendertAm: s.updatedAt })) };
  },
});

registerExportKind({
  key: 'anmeldungen',
  async collect({ em, user }) {
    const [sessions, log] = await Promise.all([
      em.find(Session, { portalUser: user.id }, { ...all, orderBy: { createdAt: 'desc' } }),
      em.find(AuditLog, { actorType: 'portal', actorId: user.id }, { ...all, orderBy: { createdAt: 'desc' } }),
    ]);
    return {
      json: {
        letzteAnmeldung: user.lastLoginAt,
        // Never the session's secret or id: when it began, was last used and ends.
        sitzungen: sessions.map((s) => ({ begonnen: s.createdAt, zuletztGenutzt: s.lastVerifiedAt, endet: s.expiresAt })),
        protokoll: log.map((entry) => ({ aktion: entry.action, am: entry.createdAt })),
      },
    };
  },
});

registerExportKind({
  key: 'vorgaenge',
  async collect({ em, user }) {
    const organization = user.organization.id;
    const tickets = await em.find(
      Ticket,
      { reporter: user.id, organization },
      { ...all, populate: ['property', 'unit', 'category'], orderBy: { createdAt: 'asc' } },
    );
    // What the resident saw of their Vorgänge (never internal notes), and their comments on others they joined.
    const entries = await em.find(
      TicketEntry,
      { organization, internal: false, kind: { $ne: 'note' }, $or: [{ ticket: { reporter: user.id } }, { authorPortalUser: user.id }] },
      { ...all, populate: ['ticket'], orderBy: { createdAt: 'asc' } },
    );
    const attachments = await em.find(TicketAttachment, { organization, entry: { authorPortalUser: user.id } }, { ...all, populate: ['ticket'] });
    const fileName = (a: TicketAttachment) => `${ticketReference(a.ticket)}/${a.id.slice(0, 8)}-${a.fileName}`;
    return {
      json: {
        gemeldet: tickets.map((t) => ({
          nummer: ticketReference(t),
          titel: t.title,
          beschreibung: t.description,
          status: t.status,
          liegenschaft: t.property.name,
          einheit: t.unit?.number ?? null,
          allgemeinflaeche: t.commonArea,
          thema: t.category.name,
          gemeldetAm: t.createdAt,
          abgeschlossenAm: t.closedAt,
        })),
        verlauf: entries.map((e) => ({
          vorgang: ticketReference(e.ticket),
          art: e.kind,
          von: e.authorName,
          eigenerEintrag: e.authorPortalUser?.id === user.id,
          text: e.body,
          am: e.createdAt,
        })),
        eigeneDateien: attachments.map((a) => ({ vorgang: ticketReference(a.ticket), datei: `dateien/vorgaenge/${fileName(a)}`, typ: a.mimeType })),
      },
      files: attachments.map((a) => ({ name: fileName(a), storageKey: a.storageKey })),
    };
  },
});

// --- Konto löschen ---------------------------------------------------------------------------

registerDeletionHook({
  key: 'vorgaenge',
  async run({ em, user }) {
    const organization = user.organization.id;
    // The Vorgänge and their timeline stay (the Verwaltung's record of the work); the name goes.
    await em.nativeUpdate(Ticket, { reporter: user.id, organization }, { reporterName: FORMER_USER_NAME }, all);
    await em.nativeUpdate(TicketEntry, { authorPortalUser: user.id, organization }, { authorName: FORMER_USER_NAME }, all);
    await em.nativeDelete(TicketFollower, { portalUser: user.id }, all);
  },
});

registerDeletionHook({
  key: 'benachrichtigungen',
  async run({ em, user }) {
    for (const entity of [NotificationSetting, NotificationItem, NotificationDigest, AnnouncementOpening, DocumentDownload] as const)
      await em.nativeDelete(entity as typeof NotificationSetting, { portalUser: user.id }, all);
  },
});

registerDeletionHook({
  key: 'zugang',
  async run({ em, user }) {
    await invalidateUserSessions(em, { area: 'portal', user });
    await em.nativeDelete(OneTimeToken, { portalUser: user.id }, all);
    await em.nativeDelete(PortalAccessGrant, { portalUser: user.id }, all);
    await em.nativeDelete(PortalMembership, { portalUser: user.id }, all);
    await em.nativeUpdate(PortalMembership, { invitedBy: user.id }, { invitedBy: null }, all);
    // Proposed contact data stay with the contact (the Verwaltung decides), without the proposer.
    await em.nativeUpdate(ContactChangeRequest, { portalUser: user.id }, { portalUser: null }, all);
    // The link to the Verwaltung's contacts ends; the contacts themselves are the Verwaltung's and stay.
    // Through the transaction's connection (the login itself was loaded outside it; on the
    // embedded database a query there would wait for this transaction forever).
    await em.execute('delete from "portal_user_contact" where "portal_user_id" = ?', [user.id]);
    await accessChanged(em, { portalUserIds: [user.id] });
  },
});

registerDeletionHook({
  key: 'profil',
  async run({ user, removeFiles }) {
    if (user.photoKey) removeFiles([user.photoKey]);
  },
});
