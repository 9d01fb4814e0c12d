import { PDFDocument } from 'pdf-lib';
import { getDocumentProxy } from 'unpdf';

/**
 * The PDF work of SmartPost with well-kept libraries only: pdf-lib reads, cuts and merges
 * pages; unpdf (pdf.js) checks first that a file is readable at all and extracts each
 * page's text for the address blocks.
 */

/** The serial letter as pdf-lib reads it, or null when it is no readable (or an encrypted) PDF. */
export async function loadPdf(bytes: Uint8Array): Promise<PDFDocument | null> {
  try {
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    // A file without a page tree loads, and fails only when its pages are counted.
    pdf.getPageCount();
    return pdf;
  } catch {
    return null;
  }
}

/** A PDF as pdf.js (through unpdf) has opened it. */
export type PdfJsDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/**
 * The PDF as pdf.js opens it, or null when pdf.js cannot read it (damaged, encrypted). pdf.js
 * refuses a damaged file within a fraction of a second where pdf-lib may parse it for
 * minutes (issue 14), so it goes first. The caller closes it with `closePdfJs`.
 */
export async function openWithPdfJs(bytes: Uint8Array): Promise<PdfJsDocument | null> {
  try {
    // A copy as a plain Uint8Array: pdf.js refuses a Node Buffer and may take over what it is given.
    return await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch {
    return null;
  }
}

export async function closePdfJs(pdf: PdfJsDocument): Promise<void> {
  await pdf.loadingTask.destroy();
}

/** The text of every page, lines separated by "\n", as pdf.js lays it out. */
export async function pageTexts(pdf: PdfJsDocument): Promise<string[]> {
  const texts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const content = await page.getTextContent();
    texts.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    page.cleanup();
  }
  return texts;
}

/** Pages first..last (counted from 1) of the source as a PDF of their own: one personal letter. */
export async function cutPages(source: PDFDocument, firstPage: number, lastPage: number, title: string): Promise<Uint8Array> {
  const letter = await PDFDocument.create();
  letter.setTitle(title);
  letter.setCreator('Hausportal');
  const pages = await letter.copyPages(source, range(firstPage, lastPage));
  for (const page of pages) letter.addPage(page);
  return letter.save();
}

/**
 * The letters going by post in one print-ready PDF: every letter starts on an odd page, so
 * printed double-sided no letter shares a sheet with the next one (a blank page follows a
 * letter with an odd page count).
 */
export async function mergeForPrint(source: PDFDocument, letters: Array<{ firstPage: number; lastPage: number }>, title: string): Promise<Uint8Array> {
  const merged = await PDFDocument.create();
  merged.setTitle(title);
  merged.setCreator('Hausportal');
  for (const letter of letters) {
    const pages = await merged.copyPages(source, range(letter.firstPage, letter.lastPage));
    for (const page of pages) merged.addPage(page);
    if (pages.length % 2 === 1) {
      const { width, height } = pages[pages.length - 1].getSize();
      merged.addPage([width, height]);
    }
  }
  return merged.save();
}

/** Zero-based page indices of first..last (counted from 1). */
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first - 1 + i);
