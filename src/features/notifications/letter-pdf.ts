import { degrees, PDFDocument, type PDFEmbeddedPage } from 'pdf-lib';
import { translator } from '../../http/i18n.ts';
import { textSafeFor, wrapText } from '../../pdf/text.ts';
import { drawLetterFrame, fromTop, INK, LETTER_LEFT, LETTER_RIGHT, letterFonts, MM, MUTED, type LetterFrame } from '../invitations/letter-pdf.ts';

/**
 * "Nicht erreicht" letters (issue 19): a Mitteilung or a document on paper for each addressed
 * contact who did not open it (./receipts.ts) — the invitation letters' DIN 5008 frame
 * (address block for window envelopes), a title and text, and the titles of the attachments.
 * A document's own pages may follow each letter (`appendix`). As in SmartPost's print PDF,
 * every letter starts on an odd page (a blank page after a letter of an odd number of pages),
 * so a duplex print separates into letters. Drawn in a PDF worker (./letter-jobs.ts); a
 * NoticeLetter is plain data, its texts already in German.
 */
export type NoticeLetter = LetterFrame & {
  salutation: string;
  title: string;
  body: string;
  /** "Anlagen (im Kundenportal abrufbar):" — printed above `attachments` when there are any. */
  attachmentsHeading: string;
  attachments: string[];
  /** A small line before the closing ("Diese Mitteilung finden Sie auch in Ihrem Kundenportal."). */
  note: string;
};

const BOTTOM = 25 * MM;

/**
 * One PDF with every letter; `appendix` (a PDF already read) follows each letter in full. Its
 * pages are embedded once and drawn on each letter's pages, so fifty letters do not hold
 * fifty copies of the document.
 */
export async function buildNoticeLettersPdf(
  title: string,
  letters: NoticeLetter[],
  appendix: PDFDocument | null = null,
  logoPng: Uint8Array | null = null,
): Promise<Uint8Array> {
  const t = translator('de');
  const pdf = await PDFDocument.create();
  pdf.setTitle(title);
  pdf.setCreator('Hausportal');
  // The Verwaltung's logo in the letterhead (src/features/branding: the PNG copy).
  const fonts = await letterFonts(pdf, logoPng);
  const safe = textSafeFor(fonts.regular, { keepLineBreaks: true });
  const appended = appendix ? await embedAllPages(pdf, appendix) : [];
  letters.forEach((letter, index) => {
    const first = pdf.getPageCount();
    let page = drawLetterFrame(pdf, fonts, letter);
    let y = fromTop(103 * MM);
    const line = (value: string, size: number, font = fonts.regular, color = INK) => {
      if (y < BOTTOM) {
        page = pdf.addPage([page.getWidth(), page.getHeight()]);
        y = page.getHeight() - 25 * MM;
      }
      page.drawText(value, { x: LETTER_LEFT, y, size, font, color });
      y -= size * 1.4;
    };
    const paragraph = (value: string, size = 10.5, font = fonts.regular, color = INK) => {
      for (const part of safe(value).split('\n'))
        for (const wrapped of wrapText(font, part, size, LETTER_RIGHT - LETTER_LEFT)) line(wrapped, size, font, color);
      y -= size * 0.6;
    };
    paragraph(letter.title, 12, fonts.bold);
    y -= 12;
    paragraph(letter.salutation);
    paragraph(letter.body);
    if (letter.attachments.length > 0) {
      paragraph(letter.attachmentsHeading, 10.5, fonts.bold);
      for (const name of letter.attachments) paragraph(`– ${name}`);
    }
    if (letter.note) paragraph(letter.note, 9.5, fonts.regular, MUTED);
    paragraph(t('invitations:letter.closing'));
    paragraph(letter.sender.name);
    for (const source of appended) drawEmbedded(pdf, source);
    const pages = pdf.getPageCount() - first;
    if (pages % 2 === 1 && index < letters.length - 1) pdf.addPage([page.getWidth(), page.getHeight()]);
  });
  return pdf.save();
}

type Appended = { embedded: PDFEmbeddedPage; rotation: number };

/** Every page of `source` as a form XObject of `pdf`, with the page's rotation. */
async function embedAllPages(pdf: PDFDocument, source: PDFDocument): Promise<Appended[]> {
  const pages = source.getPages();
  if (pages.length === 0) return [];
  const embedded = await pdf.embedPages(pages);
  return embedded.map((page, i) => ({ embedded: page, rotation: (((pages[i].getRotation().angle % 360) + 360) % 360) as number }));
}

/** A new page showing an embedded page at its size, turned as the source page was (/Rotate). */
function drawEmbedded(pdf: PDFDocument, { embedded, rotation }: Appended) {
  const { width, height } = embedded;
  const turned = rotation === 90 || rotation === 270;
  const page = pdf.addPage(turned ? [height, width] : [width, height]);
  // drawPage turns counter-clockwise about the lower left corner; /Rotate turns clockwise.
  const place =
    rotation === 90
      ? { x: 0, y: width, rotate: degrees(-90) }
      : rotation === 180
        ? { x: width, y: height, rotate: degrees(180) }
        : rotation === 270
          ? { x: height, y: 0, rotate: degrees(90) }
          : { x: 0, y: 0 };
  page.drawPage(embedded, { ...place, width, height });
}
