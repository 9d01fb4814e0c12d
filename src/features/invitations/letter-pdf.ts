import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { translator } from '../../http/i18n.ts';
import { textSafeFor, wrapText } from '../../pdf/text.ts';

/**
 * Invitation letters as a print-ready PDF: A4, DIN 5008 form B, for window envelopes (DL/C6/5
 * with the window on the left). One page per letter, so a whole property prints as one file.
 *
 * The letters carry registration codes in clear text: the PDF is stored only for staff of
 * the Verwaltung (InvitationLetterBatch, download in ./routes.ts) and must not go anywhere else.
 * Letters are German (the language of the Verwaltung's post), their texts in
 * locales/de/invitations.json under "letter".
 *
 * Drawn in a PDF worker (./letter-jobs.ts, src/pdf/workers.ts): a Letter is plain data that
 * crosses to the worker thread, so dates come formatted and the sender as plain fields.
 */
export type Letter = {
  sender: { name: string; street: string | null; postalCode: string | null; city: string | null; phone: string | null; email: string | null };
  /** The postal address block: name, street, postal code and city (and country abroad). */
  recipientLines: string[];
  /** "Sehr geehrte Frau Maiblume," */
  salutation: string;
  code: string;
  /** Where to register without the code: <BASE_URL>/portal/registrieren. */
  registrationUrl: string;
  /** The personal link in the QR code (with the code). */
  link: string;
  /** The letter's date and the last day the code works, as printed (23.11.2026). */
  date: string;
  validUntil: string;
};

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
// DIN 5008 form B: letterhead 45 mm; address field 20 mm from the left, 45 mm from the top,
// 85 × 45 mm (17.7 mm for the return address and notes, then the address); information
// block from 125 mm; fold marks at 105 and 210 mm, hole mark at 148.5 mm.
const LEFT = 25 * MM;
const RIGHT = A4.width - 20 * MM;
const ADDRESS_FIELD = { x: 20 * MM, top: 45 * MM, width: 85 * MM, height: 45 * MM, notesHeight: 17.7 * MM };
const INFO_BLOCK_X = 125 * MM;
const INK = rgb(0.1, 0.12, 0.15);
const MUTED = rgb(0.35, 0.38, 0.42);

/** The letters' fonts, and the Verwaltung's logo (the PNG copy of its Erscheinungsbild, src/features/branding) when it has one. */
type Fonts = { regular: PDFFont; bold: PDFFont; mono: PDFFont; logo: PDFImage | null };

/** Builds one PDF with a page per letter. */
export async function buildLettersPdf(letters: Letter[], logoPng: Uint8Array | null = null): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(translator('de')('invitations:letter.subject'));
  pdf.setCreator('Hausportal');
  const fonts = await letterFonts(pdf, logoPng);
  for (const letter of letters) await drawLetter(pdf, fonts, letter);
  return pdf.save();
}

/** y coordinate (pdf-lib measures from the bottom) of a distance from the top edge. */
const fromTop = (distance: number) => A4.height - distance;

/** Who sends a letter and where it goes: the part every letter of ours shares (invitations, "Nicht erreicht" letters). */
export type LetterFrame = { sender: Letter['sender']; recipientLines: string[]; date: string };

export type { Fonts as LetterFonts };
export { LEFT as LETTER_LEFT, RIGHT as LETTER_RIGHT, MM, INK, MUTED, fromTop };

/** Embeds the letters' fonts (and the logo, once for all pages) into a new PDF. */
export async function letterFonts(pdf: PDFDocument, logoPng: Uint8Array | null = null): Promise<Fonts> {
  return {
    logo: logoPng ? await pdf.embedPng(logoPng).catch(() => null) : null,
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.CourierBold),
  };
}

/**
 * A new A4 page with the DIN 5008 frame: letterhead, address field with the return address,
 * the date, footer, fold and hole marks. The body starts below 103 mm from the top.
 */
export function drawLetterFrame(pdf: PDFDocument, fonts: Fonts, letter: LetterFrame): PDFPage {
  const t = translator('de');
  const page = pdf.addPage([A4.width, A4.height]);
  const safe = textSafeFor(fonts.regular);
  const text = (value: string, x: number, y: number, size: number, font = fonts.regular, color = INK) =>
    page.drawText(safe(value), { x, y, size, font, color });
  const { sender } = letter;
  const senderCity = [sender.postalCode, sender.city].filter(Boolean).join(' ');

  // Letterhead (top 45 mm): the Verwaltung, its address and how to reach it; its logo on the right.
  if (fonts.logo) {
    const scale = Math.min((14 * MM) / fonts.logo.height, (60 * MM) / fonts.logo.width);
    const size = fonts.logo.scale(scale);
    page.drawImage(fonts.logo, { x: RIGHT - size.width, y: fromTop(12 * MM) - size.height, width: size.width, height: size.height });
  }
  text(sender.name, LEFT, fromTop(20 * MM), 16, fonts.bold);
  const contactLine = [sender.street, senderCity, sender.phone && t('invitations:letter.phone', { phone: sender.phone }), sender.email]
    .filter(Boolean)
    .join(' · ');
  text(contactLine, LEFT, fromTop(27 * MM), 9, fonts.regular, MUTED);

  // Address field: the one-line return address, small and underlined, then the recipient.
  const returnLine = safe([sender.name, sender.street, senderCity].filter(Boolean).join(', '));
  const returnSize = fitSize(fonts.regular, returnLine, 7, ADDRESS_FIELD.width - 4 * MM);
  const returnY = fromTop(ADDRESS_FIELD.top + 4 * MM);
  page.drawText(returnLine, { x: ADDRESS_FIELD.x + 2 * MM, y: returnY, size: returnSize, font: fonts.regular, color: MUTED });
  page.drawLine({
    start: { x: ADDRESS_FIELD.x + 2 * MM, y: returnY - 1.2 },
    end: { x: ADDRESS_FIELD.x + 2 * MM + fonts.regular.widthOfTextAtSize(returnLine, returnSize), y: returnY - 1.2 },
    thickness: 0.3,
    color: MUTED,
  });
  let y = fromTop(ADDRESS_FIELD.top + ADDRESS_FIELD.notesHeight) - 12;
  for (const line of letter.recipientLines.slice(0, 6)) {
    text(line, ADDRESS_FIELD.x + 2 * MM, y, 11);
    y -= 13;
  }

  // Information block on the right: the date.
  const dateLine = t('invitations:letter.date', { date: letter.date });
  text(dateLine, INFO_BLOCK_X, fromTop(ADDRESS_FIELD.top + ADDRESS_FIELD.notesHeight) - 12, 10);

  // Footer, fold marks and hole mark.
  text([sender.name, sender.street, senderCity].filter(Boolean).join(' · '), LEFT, 12 * MM, 8, fonts.regular, MUTED);
  for (const mark of [105, 210]) drawMark(page, mark * MM, 5 * MM);
  drawMark(page, 148.5 * MM, 8 * MM);
  return page;
}

async function drawLetter(pdf: PDFDocument, fonts: Fonts, letter: Letter) {
  const t = translator('de');
  const page = drawLetterFrame(pdf, fonts, letter);
  const safe = textSafeFor(fonts.regular);
  const text = (value: string, x: number, y: number, size: number, font = fonts.regular, color = INK) =>
    page.drawText(safe(value), { x, y, size, font, color });
  const { sender } = letter;
  let y: number;

  // Subject and body.
  y = fromTop(103 * MM);
  text(t('invitations:letter.subject'), LEFT, y, 12, fonts.bold);
  y -= 30;
  const paragraph = (value: string, size = 10.5, font = fonts.regular, width = RIGHT - LEFT) => {
    for (const line of wrapText(font, safe(value), size, width)) {
      page.drawText(line, { x: LEFT, y, size, font, color: INK });
      y -= size * 1.4;
    }
    y -= size * 0.6;
  };
  paragraph(letter.salutation);
  paragraph(t('invitations:letter.intro', { organization: sender.name }));
  paragraph(t('invitations:letter.howTo'), 10.5, fonts.bold);

  // The steps sit left of the QR code, which shows the personal link.
  const qrSize = 34 * MM;
  const stepsWidth = RIGHT - LEFT - qrSize - 8 * MM;
  const stepsTop = y;
  paragraph(t('invitations:letter.step1', { url: letter.registrationUrl }), 10.5, fonts.regular, stepsWidth);
  paragraph(t('invitations:letter.step2'), 10.5, fonts.regular, stepsWidth);
  text(letter.code, LEFT + 6 * MM, y - 8, 20, fonts.mono);
  y -= 38;
  paragraph(t('invitations:letter.step3'), 10.5, fonts.regular, stepsWidth);
  await drawQrCode(pdf, page, letter.link, RIGHT - qrSize, stepsTop - qrSize + 10, qrSize);
  text(t('invitations:letter.qrCaption'), RIGHT - qrSize, stepsTop - qrSize, 7.5, fonts.regular, MUTED);
  y = Math.min(y, stepsTop - qrSize - 18);

  paragraph(t('invitations:letter.validity', { date: letter.validUntil }));
  const reach = [sender.phone, sender.email].filter(Boolean).join(t('invitations:letter.or'));
  if (reach) paragraph(t('invitations:letter.questions', { reach }));
  paragraph(t('invitations:letter.closing'));
  paragraph(sender.name);
}

function drawMark(page: PDFPage, top: number, length: number) {
  page.drawLine({ start: { x: 3 * MM, y: fromTop(top) }, end: { x: 3 * MM + length, y: fromTop(top) }, thickness: 0.4, color: MUTED });
}

async function drawQrCode(pdf: PDFDocument, page: PDFPage, link: string, x: number, y: number, size: number) {
  const png = await QRCode.toBuffer(link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 8 });
  const image = await pdf.embedPng(png);
  page.drawImage(image, { x, y, width: size, height: size });
}

/** The largest size up to `max` at which `value` fits into `width`. */
function fitSize(font: PDFFont, value: string, max: number, width: number): number {
  const natural = font.widthOfTextAtSize(value, max);
  return natural <= width ? max : Math.max(5, (max * width) / natural);
}
