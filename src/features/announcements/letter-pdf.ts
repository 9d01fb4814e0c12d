import { PDFDocument } from 'pdf-lib';
import { translator } from '../../http/i18n.ts';
import { textSafeFor, wrapText } from '../../pdf/text.ts';
import { drawLetterFrame, fromTop, INK, LETTER_LEFT, LETTER_RIGHT, letterFonts, MM, MUTED, type LetterFrame } from '../invitations/letter-pdf.ts';

/**
 * "Nicht erreicht" letters (issue 19): a Mitteilung on paper for each addressed contact who
 * did not open it — the invitation letters' DIN 5008 frame (address block for window
 * envelopes), the Mitteilung's title and text, and the titles of its attachments. As in
 * SmartPost's print PDF, every letter starts on an odd page (a blank page after a letter of
 * an odd number of pages), so a duplex print separates into letters. Drawn in a PDF worker
 * (./letter-jobs.ts); a NoticeLetter is plain data.
 */
export type NoticeLetter = LetterFrame & { salutation: string; title: string; body: string; attachments: string[] };

const BOTTOM = 25 * MM;

/** One PDF with every letter. */
export async function buildNoticeLettersPdf(letters: NoticeLetter[], logoPng: Uint8Array | null = null): Promise<Uint8Array> {
  const t = translator('de');
  const pdf = await PDFDocument.create();
  pdf.setTitle(t('announcements:receipts.letterTitle'));
  pdf.setCreator('Hausportal');
  // The Verwaltung's logo in the letterhead (src/features/branding: the PNG copy).
  const fonts = await letterFonts(pdf, logoPng);
  const safe = textSafeFor(fonts.regular, { keepLineBreaks: true });
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
      paragraph(t('announcements:receipts.letterAttachments'), 10.5, fonts.bold);
      for (const title of letter.attachments) paragraph(`– ${title}`);
    }
    paragraph(t('announcements:receipts.letterPortal'), 9.5, fonts.regular, MUTED);
    paragraph(t('invitations:letter.closing'));
    paragraph(letter.sender.name);
    const pages = pdf.getPageCount() - first;
    if (pages % 2 === 1 && index < letters.length - 1) pdf.addPage([page.getWidth(), page.getHeight()]);
  });
  return pdf.save();
}
