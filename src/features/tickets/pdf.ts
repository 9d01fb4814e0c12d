import type { TFunction } from 'i18next';
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import type { Em } from '../../db/orm.ts';
import { ticketReference, type Ticket, type TicketAttachment } from '../../entities/index.ts';
import { contactDisplayName } from '../../entities/contact.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { FileStorage } from '../../storage/files.ts';
import { isInternal, reportFiles, ticketSight, visibleTimeline, type TicketViewer } from './access.ts';
import { textSafeFor, wrapText } from '../../pdf/text.ts';
import { entryLine, internalLabel } from './timeline.ts';

/**
 * "Als PDF speichern" (seed 000, step 5): the whole communication of a Vorgang as a DIN A4
 * PDF, for the Verwaltung's files or the resident's. What it holds is what the viewer sees
 * on the page, decided by access.ts (ticketSight, visibleTimeline): a resident's PDF never
 * contains an internal note nor the reporter's contact data, and a joiner's not the
 * reporter's name, nor the report unless it was shared. Text uses pdf-lib's standard fonts (WinAnsi, as in
 * src/features/invitations/letter-pdf.ts); photos appear as their thumbnails (JPEG and PNG;
 * pdf-lib cannot embed WebP, which is listed by name).
 */

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const LEFT = 20 * MM;
const RIGHT = A4.width - 20 * MM;
const TOP = A4.height - 20 * MM;
const BOTTOM = 20 * MM;
const LABEL_WIDTH = 45 * MM;
const INK = rgb(0.1, 0.12, 0.15);
const MUTED = rgb(0.35, 0.38, 0.42);
/** Internal notes: amber, like the dashed frame on the console page. */
const INTERNAL = rgb(0.62, 0.33, 0);
const RULE = rgb(0.8, 0.82, 0.85);
const THUMB = { width: 140, height: 105 };

type Fonts = { regular: PDFFont; bold: PDFFont };
type TextStyle = { size?: number; font?: PDFFont; color?: RGB; x?: number; width?: number; bar?: RGB };

/** Lays out text top to bottom, starting a new page when the next piece would not fit. */
class Writer {
  page!: PDFPage;
  y = TOP;
  readonly pdf: PDFDocument;
  readonly fonts: Fonts;
  private readonly safe: (value: string) => string;

  constructor(pdf: PDFDocument, fonts: Fonts) {
    this.pdf = pdf;
    this.fonts = fonts;
    this.safe = textSafeFor(fonts.regular, { keepLineBreaks: true });
    this.newPage();
  }

  newPage() {
    this.page = this.pdf.addPage([A4.width, A4.height]);
    this.y = TOP;
  }

  /** Makes room for `height` points: a new page when the rest of this one is too small. */
  ensure(height: number) {
    if (this.y - height < BOTTOM) this.newPage();
  }

  gap(points: number) {
    this.y -= points;
  }

  /** Text with line breaks kept and long lines wrapped; `bar` draws a coloured mark left of each line. */
  text(value: string, style: TextStyle = {}) {
    const size = style.size ?? 10;
    const font = style.font ?? this.fonts.regular;
    const x = style.x ?? LEFT;
    const width = style.width ?? RIGHT - x;
    const lineHeight = size * 1.35;
    for (const paragraph of value.replace(/\r\n?/g, '\n').split('\n')) {
      const lines = paragraph.trim() ? wrapText(font, this.safe(paragraph), size, width) : [''];
      for (const line of lines) {
        this.ensure(lineHeight);
        this.y -= lineHeight;
        if (style.bar) this.page.drawRectangle({ x: LEFT - 3 * MM, y: this.y - size * 0.3, width: 1.5, height: lineHeight, color: style.bar });
        if (line) this.page.drawText(line, { x, y: this.y, size, font, color: style.color ?? INK });
      }
    }
  }

  /** A label and its value side by side (the value wrapped in its column). */
  fact(label: string, value: string) {
    const size = 9.5;
    const lines = wrapText(this.fonts.regular, this.safe(value || '–'), size, RIGHT - LEFT - LABEL_WIDTH);
    this.ensure(Math.min(lines.length, 3) * size * 1.35);
    this.page.drawText(this.safe(label), { x: LEFT, y: this.y - size * 1.35, size, font: this.fonts.bold, color: INK });
    this.text(value || '–', { x: LEFT + LABEL_WIDTH, size });
    this.gap(1.5);
  }

  heading(value: string) {
    this.ensure(40);
    this.gap(10);
    this.text(value, { font: this.fonts.bold, size: 12 });
    this.page.drawLine({ start: { x: LEFT, y: this.y - 4 }, end: { x: RIGHT, y: this.y - 4 }, thickness: 0.5, color: RULE });
    this.gap(8);
  }

  /** Images in rows, each scaled into the thumbnail box. */
  images(images: PDFImage[], bar?: RGB) {
    let x = LEFT;
    let rowHeight = 0;
    const place = images.map((image) => image.scaleToFit(THUMB.width, THUMB.height));
    for (let i = 0; i < images.length; i++) {
      const { width, height } = place[i];
      if (x > LEFT && x + width > RIGHT) {
        this.y -= rowHeight + 6;
        x = LEFT;
        rowHeight = 0;
      }
      if (x === LEFT) {
        this.ensure(THUMB.height + 8);
        this.gap(4);
      }
      this.page.drawImage(images[i], { x, y: this.y - height, width, height });
      if (bar) this.page.drawRectangle({ x: LEFT - 3 * MM, y: this.y - height, width: 1.5, height, color: bar });
      rowHeight = Math.max(rowHeight, height);
      x += width + 6;
    }
    if (images.length > 0) this.y -= rowHeight + 4;
  }
}

/** Builds the PDF of a Vorgang (see above). */
export async function ticketPdf(em: Em, ticket: Ticket, options: { viewer: TicketViewer; t: TFunction; storage: FileStorage }): Promise<Uint8Array> {
  const { viewer, t, storage } = options;
  await em.populate(ticket, ['organization', 'property', 'unit', 'category', 'assignee', 'reporter', 'reporterContact', 'mergedInto']);
  const sight = ticketSight(ticket, viewer);
  const items = await visibleTimeline(em, ticket, viewer);
  const reference = ticketReference(ticket);

  const pdf = await PDFDocument.create();
  pdf.setTitle(`${t('tickets-detail:pdf.title', { reference })}: ${ticket.title}`);
  pdf.setCreator('Hausportal');
  pdf.setProducer('Hausportal');
  const fonts: Fonts = { regular: await pdf.embedFont(StandardFonts.Helvetica), bold: await pdf.embedFont(StandardFonts.HelveticaBold) };
  const w = new Writer(pdf, fonts);

  // Head: the Verwaltung, the number, the title.
  w.text(ticket.organization.name, { font: fonts.bold, size: 10, color: MUTED });
  w.gap(6);
  w.text(t('tickets-detail:pdf.title', { reference }), { font: fonts.bold, size: 17 });
  w.gap(2);
  w.text(ticket.title, { font: fonts.bold, size: 13 });
  w.gap(8);

  const place = ticket.unit ? t('tickets:place.unit', { number: ticket.unit.number }) : t('tickets:place.commonArea', { area: t(`tickets:areas.${ticket.commonArea}`) });
  w.fact(t('tickets-detail:facts.status'), t(`tickets:status.${ticket.status}`));
  w.fact(t('tickets-detail:facts.category'), ticket.category.name);
  w.fact(t('tickets-detail:facts.property'), ticket.property.name);
  w.fact(t('tickets-detail:facts.place'), place);
  w.fact(t('tickets-detail:facts.createdAt'), helpers.formatDateTime(ticket.createdAt));
  w.fact(t('tickets-detail:facts.lastActivity'), helpers.formatDateTime(ticket.lastActivityAt));
  w.fact(t('tickets-detail:facts.assignee'), ticket.assignee?.name ?? t('tickets-detail:assign.nobody'));
  if (ticket.closedAt) w.fact(t('tickets-detail:facts.closedAt'), helpers.formatDateTime(ticket.closedAt));
  if (ticket.mergedInto) w.fact(t('tickets-detail:facts.mergedInto'), t('tickets:reference', { reference: ticketReference(ticket.mergedInto) }));

  // The reporter: staff get the contact data, the reporter side the name, a joiner nothing.
  if (sight.reporter !== 'none') {
    w.heading(t('tickets-detail:reporter.title'));
    w.fact(t('tickets-detail:reporter.name'), ticket.reporterName);
  }
  if (sight.reporter === 'contact') {
    const contact = ticket.reporterContact;
    if (contact) {
      w.fact(t('tickets-detail:reporter.contact'), contactDisplayName(contact));
      w.fact(t('tickets-detail:reporter.email'), contact.email ?? '');
      w.fact(t('tickets-detail:reporter.phone'), contact.phone ?? '');
      w.fact(t('tickets-detail:reporter.address'), [contact.street, [contact.postalCode, contact.city].filter(Boolean).join(' ')].filter(Boolean).join(', '));
    }
    w.fact(t('tickets-detail:reporter.login'), `${ticket.reporter.name} <${ticket.reporter.email}>`);
  }

  // The report and its photos, when the viewer sees them.
  if (sight.report) {
    w.heading(t('tickets-detail:report.title'));
    w.text(ticket.description);
    await drawFiles(w, storage, reportFiles(items), t);
  }

  // The timeline (the report's photos are drawn above).
  w.heading(t('tickets-detail:timeline.title'));
  for (const item of items) {
    const { entry } = item;
    const bar = isInternal(entry) ? INTERNAL : undefined;
    w.ensure(40);
    w.gap(6);
    if (isInternal(entry)) w.text(internalLabel(entry, t).toUpperCase(), { font: fonts.bold, size: 9.5, color: INTERNAL, bar });
    w.text(entryLine(item, t), { font: fonts.bold, size: 10, color: isInternal(entry) ? INTERNAL : INK, bar });
    w.text(helpers.formatDateTime(entry.createdAt), { size: 8.5, color: MUTED, bar });
    if (entry.body) {
      w.gap(2);
      w.text(entry.body, { size: 10, bar });
    }
    if (entry.kind !== 'created') await drawFiles(w, storage, item.files, t, bar);
  }
  if (items.length === 0) w.text(t('tickets-detail:timeline.empty'), { color: MUTED });

  // Footer on every page: which Vorgang, page n of m.
  const pages = pdf.getPages();
  const safe = textSafeFor(fonts.regular, { keepLineBreaks: true });
  pages.forEach((page, index) => {
    const left = safe(`${t('tickets-detail:pdf.title', { reference })} · ${ticket.organization.name}`);
    const right = safe(t('tickets-detail:pdf.page', { page: index + 1, pages: pages.length }));
    page.drawLine({ start: { x: LEFT, y: 14 * MM }, end: { x: RIGHT, y: 14 * MM }, thickness: 0.4, color: RULE });
    page.drawText(left, { x: LEFT, y: 10 * MM, size: 8, font: fonts.regular, color: MUTED });
    page.drawText(right, { x: RIGHT - fonts.regular.widthOfTextAtSize(right, 8), y: 10 * MM, size: 8, font: fonts.regular, color: MUTED });
  });
  return pdf.save();
}

/** Photos as embedded thumbnails; PDFs, WebP photos and anything unreadable by name. */
async function drawFiles(w: Writer, storage: FileStorage, files: TicketAttachment[], t: TFunction, bar?: RGB) {
  const images: PDFImage[] = [];
  const named: string[] = [];
  for (const file of files) {
    const image = file.thumbKey ? await embedThumbnail(w.pdf, storage, file.thumbKey) : null;
    if (image) images.push(image);
    else named.push(t(file.mimeType.startsWith('image/') ? 'tickets-detail:pdf.photo' : 'tickets-detail:pdf.file', { name: file.fileName }));
  }
  w.images(images, bar);
  for (const line of named) w.text(line, { size: 9, color: MUTED, bar });
}

/** A JPEG or PNG thumbnail from the store, or null (WebP, missing or broken file). */
async function embedThumbnail(pdf: PDFDocument, storage: FileStorage, key: string): Promise<PDFImage | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of storage.open(key)) chunks.push(chunk as Buffer);
    // A copy with its own ArrayBuffer: pdf-lib reads the JPEG through `bytes.buffer` from
    // offset 0, and Buffer.concat may hand out a slice of Node's shared pool.
    const bytes = new Uint8Array(Buffer.concat(chunks));
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return await pdf.embedJpg(bytes);
    if (Buffer.from(bytes.subarray(0, 4)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return await pdf.embedPng(bytes);
    return null;
  } catch {
    return null;
  }
}


