import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import { textSafeFor, wrapText } from '../../pdf/text.ts';

/**
 * Draws the PDF of a Vorgang ("Als PDF speichern", see ./pdf.ts) with pdf-lib, in a PDF
 * worker (./pdf-jobs.ts, src/pdf/workers.ts): embedding PNG thumbnails decodes them in
 * JavaScript, which grows with the number of photos. It draws only what it is given:
 * ./pdf.ts decides on the request thread what the viewer sees (access.ts) and puts every
 * text in the viewer's language. Text uses pdf-lib's standard fonts (WinAnsi, as in
 * src/features/invitations/letter-pdf.ts); photos appear as their thumbnails (JPEG and PNG;
 * pdf-lib cannot embed WebP, which is listed by name).
 */

/** A file of an entry: its thumbnail's bytes when it has one, and the line naming it ("Foto: Flur.webp") when no picture can be shown. */
export type TicketPdfFile = { thumbnail: Uint8Array | null; line: string };

/** A label and its value ("Status", "In Bearbeitung"). */
export type TicketPdfFact = [label: string, value: string];

export type TicketPdfEntry = {
  /** The mark of an internal entry ("INTERNE NOTIZ"), drawn in amber with the entry; null for a public one. */
  internal: string | null;
  /** "Max Verwalter hat kommentiert". */
  line: string;
  date: string;
  body: string | null;
  files: TicketPdfFile[];
};

/** Everything the PDF shows, as plain data that crosses to the worker thread. */
export type TicketPdfContent = {
  /** The document's title (its metadata). */
  documentTitle: string;
  organization: string;
  /** The Verwaltung's logo, the PNG copy of its Erscheinungsbild (src/features/branding), or null. */
  logoPng?: Uint8Array | null;
  /** "Vorgang Nr. 2026-00042" */
  heading: string;
  title: string;
  facts: TicketPdfFact[];
  reporter: { heading: string; facts: TicketPdfFact[] } | null;
  report: { heading: string; description: string; files: TicketPdfFile[] } | null;
  timeline: { heading: string; entries: TicketPdfEntry[]; empty: string };
  /** On every page: which Vorgang (left), and "Seite {{page}} von {{pages}}" (right) with the two numbers still to fill in. */
  footer: { left: string; pageOf: string };
};

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
  fact([label, value]: TicketPdfFact) {
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

/** Draws the PDF of a Vorgang from its content (see above). */
export async function drawTicketPdf(content: TicketPdfContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(content.documentTitle);
  pdf.setCreator('Hausportal');
  pdf.setProducer('Hausportal');
  const fonts: Fonts = { regular: await pdf.embedFont(StandardFonts.Helvetica), bold: await pdf.embedFont(StandardFonts.HelveticaBold) };
  const w = new Writer(pdf, fonts);

  // Head: the Verwaltung (with its logo on the right), the number, the title.
  const logo = content.logoPng ? await pdf.embedPng(content.logoPng).catch(() => null) : null;
  if (logo) {
    const size = logo.scale(Math.min((12 * MM) / logo.height, (50 * MM) / logo.width));
    w.page.drawImage(logo, { x: RIGHT - size.width, y: TOP - size.height + 10, width: size.width, height: size.height });
  }
  w.text(content.organization, { font: fonts.bold, size: 10, color: MUTED });
  w.gap(6);
  w.text(content.heading, { font: fonts.bold, size: 17 });
  w.gap(2);
  w.text(content.title, { font: fonts.bold, size: 13 });
  w.gap(8);
  for (const fact of content.facts) w.fact(fact);

  if (content.reporter) {
    w.heading(content.reporter.heading);
    for (const fact of content.reporter.facts) w.fact(fact);
  }

  if (content.report) {
    w.heading(content.report.heading);
    w.text(content.report.description);
    await drawFiles(w, content.report.files);
  }

  w.heading(content.timeline.heading);
  for (const entry of content.timeline.entries) {
    const bar = entry.internal ? INTERNAL : undefined;
    w.ensure(40);
    w.gap(6);
    if (entry.internal) w.text(entry.internal, { font: fonts.bold, size: 9.5, color: INTERNAL, bar });
    w.text(entry.line, { font: fonts.bold, size: 10, color: entry.internal ? INTERNAL : INK, bar });
    w.text(entry.date, { size: 8.5, color: MUTED, bar });
    if (entry.body) {
      w.gap(2);
      w.text(entry.body, { size: 10, bar });
    }
    await drawFiles(w, entry.files, bar);
  }
  if (content.timeline.entries.length === 0) w.text(content.timeline.empty, { color: MUTED });

  // Footer on every page: which Vorgang, page n of m.
  const pages = pdf.getPages();
  const safe = textSafeFor(fonts.regular, { keepLineBreaks: true });
  const left = safe(content.footer.left);
  pages.forEach((page, index) => {
    const right = safe(content.footer.pageOf.replace('{{page}}', String(index + 1)).replace('{{pages}}', String(pages.length)));
    page.drawLine({ start: { x: LEFT, y: 14 * MM }, end: { x: RIGHT, y: 14 * MM }, thickness: 0.4, color: RULE });
    page.drawText(left, { x: LEFT, y: 10 * MM, size: 8, font: fonts.regular, color: MUTED });
    page.drawText(right, { x: RIGHT - fonts.regular.widthOfTextAtSize(right, 8), y: 10 * MM, size: 8, font: fonts.regular, color: MUTED });
  });
  return pdf.save();
}

/** Photos as embedded thumbnails; PDFs, WebP photos and anything unreadable by their line. */
async function drawFiles(w: Writer, files: TicketPdfFile[], bar?: RGB) {
  const images: PDFImage[] = [];
  const named: string[] = [];
  for (const file of files) {
    const image = file.thumbnail ? await embedThumbnail(w.pdf, file.thumbnail) : null;
    if (image) images.push(image);
    else named.push(file.line);
  }
  w.images(images, bar);
  for (const line of named) w.text(line, { size: 9, color: MUTED, bar });
}

/** A JPEG or PNG thumbnail embedded, or null (WebP, a broken file). */
async function embedThumbnail(pdf: PDFDocument, thumbnail: Uint8Array): Promise<PDFImage | null> {
  try {
    // A copy with its own ArrayBuffer: pdf-lib reads the JPEG through `bytes.buffer` from offset 0.
    const bytes = thumbnail.byteOffset === 0 && thumbnail.byteLength === thumbnail.buffer.byteLength ? thumbnail : thumbnail.slice();
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return await pdf.embedJpg(bytes);
    if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return await pdf.embedPng(bytes);
    return null;
  } catch {
    return null;
  }
}
