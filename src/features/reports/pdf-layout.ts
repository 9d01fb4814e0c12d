import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import { textSafeFor } from '../../pdf/text.ts';
import type { ReportDocument } from './present.ts';

/**
 * Draws a Bericht as a simple table layout (A4 landscape, so twelve months fit), in a PDF
 * worker (./pdf-jobs.ts): the same tables the page and the CSV file show (./present.ts).
 * Cells too wide for their column are cut with "…"; numbers are right-aligned.
 */
export type ReportPdfContent = Omit<ReportDocument, 'chart' | 'fileName'> & { organization: string; property: string; pageOf: string };

const MM = 72 / 25.4;
const PAGE = { width: 297 * MM, height: 210 * MM };
const LEFT = 12 * MM;
const RIGHT = PAGE.width - 12 * MM;
const TOP = PAGE.height - 12 * MM;
const BOTTOM = 14 * MM;
const SIZE = 7.5;
const ROW = 11;
const INK = rgb(0.1, 0.12, 0.15);
const MUTED = rgb(0.35, 0.38, 0.42);
const RULE = rgb(0.8, 0.82, 0.85);

export async function drawReportPdf(content: ReportPdfContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(content.title);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const safe = textSafeFor(regular);
  let page: PDFPage = pdf.addPage([PAGE.width, PAGE.height]);
  let y = TOP;
  const newPage = () => {
    page = pdf.addPage([PAGE.width, PAGE.height]);
    y = TOP;
  };
  const line = (text: string, font: PDFFont, size: number, color = INK) => {
    if (y < BOTTOM + size) newPage();
    page.drawText(safe(text), { x: LEFT, y: y - size, size, font, color });
    y -= size + 5;
  };
  line(content.organization, regular, 9, MUTED);
  line(`${content.title} – ${content.property}`, bold, 14);
  line(content.subtitle, regular, 9, MUTED);
  for (const [label, value] of content.facts) line(`${label}: ${value}`, regular, 9);
  y -= 6;

  for (const table of content.tables) {
    if (y < BOTTOM + ROW * 4) newPage();
    line(table.caption, bold, 10);
    const widths = columnWidths(table.head.length);
    const xs = widths.map((_, i) => LEFT + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const drawRow = (cells: string[], font: PDFFont) => {
      if (y < BOTTOM + ROW) {
        newPage();
      }
      cells.forEach((cell, i) => {
        const text = ellipsize(safe(cell), font, widths[i] - 4);
        const width = font.widthOfTextAtSize(text, SIZE);
        const x = table.numeric[i] ? xs[i] + widths[i] - 2 - width : xs[i] + 2;
        page.drawText(text, { x, y: y - SIZE, size: SIZE, font, color: INK });
      });
      y -= ROW;
    };
    drawRow(table.head, bold);
    page.drawLine({ start: { x: LEFT, y: y + 2 }, end: { x: RIGHT, y: y + 2 }, thickness: 0.5, color: RULE });
    for (const row of table.rows) {
      if (row.total) page.drawLine({ start: { x: LEFT, y: y + 1 }, end: { x: RIGHT, y: y + 1 }, thickness: 0.3, color: RULE });
      drawRow(
        row.cells.map((cell) => cell.text),
        row.total ? bold : regular,
      );
    }
    y -= 10;
  }
  const pages = pdf.getPages();
  pages.forEach((p, index) => {
    const footer = safe(content.pageOf.replace('{{page}}', String(index + 1)).replace('{{pages}}', String(pages.length)));
    p.drawText(footer, { x: RIGHT - regular.widthOfTextAtSize(footer, 8), y: BOTTOM - 16, size: 8, font: regular, color: MUTED });
  });
  return pdf.save();
}

/** The first column (names) gets three shares, every other one share, up to the page width. */
function columnWidths(count: number): number[] {
  const share = (RIGHT - LEFT) / (count + 2);
  return Array.from({ length: count }, (_, i) => (i === 0 ? share * 3 : share));
}

function ellipsize(text: string, font: PDFFont, width: number): string {
  if (font.widthOfTextAtSize(text, SIZE) <= width) return text;
  let cut = text;
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}…`, SIZE) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
