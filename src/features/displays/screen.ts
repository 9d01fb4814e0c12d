import { sql } from 'kysely';
import QRCode from 'qrcode';
import type { Em } from '../../db/orm.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { hashToken } from '../../auth/tokens.ts';
import { Address, Display, type DisplayOrientation, type Organization } from '../../entities/index.ts';
import { announcementVisibleIn } from '../announcements/service.ts';
import { describeWhen, upcomingAppointments } from '../appointments/service.ts';
import { portalContactPersons } from '../contact-persons/service.ts';

// The public page of a Digitaler Hausaushang (/aushang/<token>): what a screen in the
// stairwell shows. Nothing personal reaches it: Mitteilungen marked "Im Hausaushang zeigen"
// that residents of the whole property see, the property's Termine, the Ansprechpartner as
// the portal lists them (the Verwaltung's people and service companies, never residents),
// the Verwaltung's own contact and a QR code of the registration page.

/** A token as displayUrl makes them (32 bytes base64url) or the demo's; anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{40,100}$/;
/** "Zuletzt online" is written at most this often per screen, not on every page turn. */
export const LAST_SEEN_PRECISION_MS = 60_000;
/** How long a page stays when there are several, and how often a single page is fetched again. */
export const PAGE_SECONDS = 20;
export const REFRESH_SECONDS = 60;
const MAX_ANNOUNCEMENTS = 10;
const MAX_APPOINTMENTS = 8;
/** A Mitteilung is cut after this many characters; the whole text is in the portal. */
const BODY_MAX_CHARS = 600;
/** Roles of Ansprechpartner listed as Notfallnummern. */
const EMERGENCY_ROLE = /not(dienst|fall|ruf)|störung|havarie|emergency/i;

/**
 * The screen of a token, with its property and Verwaltung, or null (unknown, revoked,
 * malformed, or its property archived). The request has no session, so this scopes the
 * EntityManager to the screen's Verwaltung itself, and notes when the screen was last seen.
 */
export async function openDisplay(em: Em, token: string, now: Date): Promise<Display | null> {
  if (!TOKEN.test(token)) return null;
  const display = await em.findOne(Display, { tokenHash: hashToken(token) }, { filters: { tenant: false }, populate: ['property', 'organization'] });
  if (!display || display.property.archivedAt) return null;
  scopeToOrganization(em, display.organization.id);
  if (!display.lastSeenAt || now.getTime() - display.lastSeenAt.getTime() >= LAST_SEEN_PRECISION_MS) {
    await em.nativeUpdate(Display, { id: display.id }, { lastSeenAt: now });
  }
  return display;
}

export type ScreenAnnouncement = { kind: 'announcement'; title: string; paragraphs: string[]; cut: boolean; publishedAt: Date };
export type ScreenAppointments = { kind: 'appointments'; items: Array<{ when: string; title: string; location: string }>; more: boolean };
export type ScreenContacts = {
  kind: 'contacts';
  people: Array<{ name: string; role: string; phone: string | null; email: string | null }>;
  emergency: Array<{ name: string; role: string; phone: string | null }>;
  /** Only on the first part of a list split over pages. */
  withPublicNumbers: boolean;
};
export type ScreenBlock = ScreenAnnouncement | ScreenAppointments | ScreenContacts;

export type ScreenContent = {
  propertyName: string;
  addresses: string[];
  blocks: ScreenBlock[];
  management: { name: string; address: string; phone: string | null; email: string | null } | null;
  qr: { dataUrl: string; url: string } | null;
};

/** Plain text cut to `max` characters at a word, in paragraphs. */
function paragraphsOf(body: string, max: number): { paragraphs: string[]; cut: boolean } {
  let text = body.replace(/\r\n?/g, '\n').trim();
  const cut = text.length > max;
  if (cut) text = `${text.slice(0, max).replace(/\s+\S*$/, '')} …`;
  const paragraphs = text
    .split(/\n[ \t]*\n\s*/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean);
  return { paragraphs, cut };
}

/**
 * The Mitteilungen of a screen: published, marked "Im Hausaushang zeigen", and visible to
 * every resident of the property (announcementVisibleIn: sent to the property or to all).
 * Plain rows in one statement; the Verwaltung named explicitly (the tenant filter does not reach SQL).
 */
async function displayAnnouncements(em: Em, organizationId: string, propertyId: string) {
  const { rows } = await sql<{ title: string; body: string; publishedAt: string }>`
    select an.title, an.body, an.published_at as "publishedAt"
    from announcement an
    where an.organization_id = ${organizationId} and an.show_on_display and ${announcementVisibleIn(propertyId)('an')}
    order by an.published_at desc, an.id desc
    limit ${sql.lit(MAX_ANNOUNCEMENTS)}`.execute(em.getKysely());
  return rows.map(
    (row): ScreenAnnouncement => ({
      kind: 'announcement',
      title: row.title,
      ...paragraphsOf(row.body, BODY_MAX_CHARS),
      publishedAt: new Date(row.publishedAt),
    }),
  );
}

function managementOf(org: Organization): ScreenContent['management'] {
  const place = [org.postalCode, org.city].filter(Boolean).join(' ');
  return { name: org.name, address: [org.street, place].filter(Boolean).join(', '), phone: org.phone ?? null, email: org.email ?? null };
}

/** Everything the screen shows, by its settings. */
export async function screenContent(em: Em, display: Display, options: { baseUrl: string; now: Date; lang: 'de' | 'en' }): Promise<ScreenContent> {
  const { baseUrl, now, lang } = options;
  const property = display.property;
  const [addresses, announcements, appointments, people] = await Promise.all([
    em.find(Address, { property: property.id, archivedAt: null }, { orderBy: { street: 'asc', houseNumber: 'asc' } }),
    display.showAnnouncements ? displayAnnouncements(em, display.organization.id, property.id) : Promise.resolve([]),
    display.showAppointments ? upcomingAppointments(em, property.id, now, MAX_APPOINTMENTS + 1) : Promise.resolve([]),
    display.showContactPersons ? portalContactPersons(em, property.id) : Promise.resolve([]),
  ]);
  const blocks: ScreenBlock[] = [...announcements];
  if (display.showAppointments) {
    blocks.push({
      kind: 'appointments',
      items: appointments.slice(0, MAX_APPOINTMENTS).map((a) => ({ when: describeWhen(a, lang), title: a.title, location: a.location })),
      more: appointments.length > MAX_APPOINTMENTS,
    });
  }
  if (display.showContactPersons) {
    const emergency = people.filter((p) => EMERGENCY_ROLE.test(p.role));
    blocks.push({
      kind: 'contacts',
      people: people.filter((p) => !emergency.includes(p)).map((p) => ({ name: p.name, role: p.role, phone: p.phone ?? null, email: p.email ?? null })),
      emergency: emergency.map((p) => ({ name: p.name, role: p.role, phone: p.phone ?? null })),
      withPublicNumbers: true,
    });
  }
  const registration = `${baseUrl}/portal/registrieren`;
  return {
    propertyName: property.name,
    addresses: addresses.map((a) => `${a.street} ${a.houseNumber}`.trim()),
    blocks,
    management: display.showManagement ? managementOf(display.organization) : null,
    qr: display.showQrCode ? { url: registration, dataUrl: await QRCode.toDataURL(registration, { errorCorrectionLevel: 'M', margin: 1, scale: 8 }) } : null,
  };
}

// Pages: a screen cannot scroll, so content that does not fit is spread over pages that
// take turns. The server estimates heights in lines of body text; the type scales with the
// screen's width (static/aushang.css), so a line holds about the same number of characters on
// every 16:9 (quer) or 10:16 (hoch) screen and the estimate holds for all of them.

/**
 * Characters per line of a column (a little under what fits, for word wrapping), and lines per
 * column and columns per page: what fits between the header and the footer, less a line for
 * safety (measured in Chromium at 1920×1080 and 800×1280, test/e2e/displays.test.ts).
 */
const CHARS_PER_LINE = 44;
const LAYOUT: Record<DisplayOrientation, { lines: number; columns: number }> = {
  landscape: { lines: 17.5, columns: 2 },
  portrait: { lines: 24, columns: 1 },
};

const linesOf = (text: string, chars = CHARS_PER_LINE) => Math.max(1, Math.ceil(text.length / chars));
/** Sizes in lines of body text (static/aushang.css): a card's heading (1.25em, fewer characters a line), a small line, the gaps. */
const headingLines = (text: string) => linesOf(text, 34) * 1.15 + 0.15;
const SMALL = 0.85;
const GAP = 0.3;
const CARD = 1.0;

function blockLines(block: ScreenBlock): number {
  switch (block.kind) {
    case 'announcement':
      return CARD + headingLines(block.title) + SMALL + block.paragraphs.reduce((sum, p) => sum + linesOf(p) + GAP, 0) + (block.cut ? SMALL : 0);
    case 'appointments':
      return (
        CARD +
        headingLines('Nächste Termine') +
        Math.max(
          1,
          block.items.reduce((sum, i) => sum + 1 + linesOf(i.title) + (i.location ? linesOf(i.location, 50) * SMALL : 0) + GAP, 0),
        ) +
        (block.more ? SMALL : 0)
      );
    case 'contacts':
      return (
        CARD +
        headingLines('Ansprechpartner') +
        Math.max(
          1,
          block.people.reduce((sum, p) => sum + linesOf(p.name) + (p.role ? SMALL : 0) + (p.phone ? 1 : 0) + (p.email ? linesOf(p.email) : 0) + GAP, 0),
        ) +
        (block.emergency.length || block.withPublicNumbers
          ? 1.3 + block.emergency.reduce((sum, p) => sum + linesOf(`${p.role}: ${p.name} ${p.phone ?? ''}`) + 0.15, 0) + (block.withPublicNumbers ? 2 : 0)
          : 0)
      );
  }
}

/** Splits a list block that is taller than a column into parts that fit; announcements are cut already. */
function splitBlock(block: ScreenBlock, lines: number): ScreenBlock[] {
  if (blockLines(block) <= lines) return [block];
  if (block.kind === 'appointments' && block.items.length > 1) {
    const half = Math.ceil(block.items.length / 2);
    return [
      ...splitBlock({ ...block, items: block.items.slice(0, half), more: false }, lines),
      ...splitBlock({ ...block, items: block.items.slice(half) }, lines),
    ];
  }
  if (block.kind === 'contacts' && block.people.length > 1) {
    const half = Math.ceil(block.people.length / 2);
    return [
      ...splitBlock({ ...block, people: block.people.slice(0, half), emergency: [], withPublicNumbers: false }, lines),
      ...splitBlock({ ...block, people: block.people.slice(half) }, lines),
    ];
  }
  return [block];
}

/** The pages of a screen: each a list of columns, each a list of blocks. Always at least one page. */
export function paginate(blocks: ScreenBlock[], orientation: DisplayOrientation): ScreenBlock[][][] {
  const { lines, columns } = LAYOUT[orientation];
  const all = blocks.flatMap((b) => splitBlock(b, lines));
  const filled: ScreenBlock[][] = [];
  let column: ScreenBlock[] = [];
  let used = 0;
  for (const block of all) {
    const size = blockLines(block);
    if (column.length > 0 && used + size > lines) {
      filled.push(column);
      column = [];
      used = 0;
    }
    column.push(block);
    used += size;
  }
  if (column.length > 0 || filled.length === 0) filled.push(column);
  const pages: ScreenBlock[][][] = [];
  for (let i = 0; i < filled.length; i += columns) pages.push(filled.slice(i, i + columns));
  return pages;
}
