import { readFile, writeFile } from 'node:fs/promises';
import { pdfJob } from '../../pdf/worker-job.ts';
import { closePdfJs, cutPages, loadPdf, mergeForPrint, openWithPdfJs, pageTexts } from './pdf.ts';

// The PDF work of SmartPost as jobs of the PDF workers (src/pdf/workers.ts): this module runs
// in a worker thread, never on the thread that answers requests; service.ts calls its jobs
// through the pool. Files are passed by path, so no big byte array crosses between threads.

export type PageRange = { firstPage: number; lastPage: number };

export type SerialLetterReading =
  | { readable: false }
  /** `texts` is null when there is nothing to split: no pages, or a count that `pagesPerLetter` does not divide. */
  | { readable: true; pageCount: number; texts: string[] | null };

/**
 * Reads an uploaded serial letter: its page count and, when it can be split into letters of
 * `pagesPerLetter`, the text of every page. pdf.js opens it first and refuses a damaged file
 * at once; pdf-lib, which will cut the letters, must read it too (the job's time bound stops
 * a file that only pdf-lib struggles with).
 */
export const readSerialLetter = pdfJob(async ({ path, pagesPerLetter }: { path: string; pagesPerLetter: number }): Promise<SerialLetterReading> => {
  const bytes = await readFile(path);
  const reader = await openWithPdfJs(bytes);
  if (!reader) return { readable: false };
  try {
    const pdf = await loadPdf(bytes);
    if (!pdf) return { readable: false };
    const pageCount = pdf.getPageCount();
    // Text extraction is the slow part (about 10 ms a page): not for a file refused anyway.
    if (pageCount === 0 || pageCount % pagesPerLetter !== 0) return { readable: true, pageCount, texts: null };
    return { readable: true, pageCount, texts: await pageTexts(reader) };
  } catch {
    return { readable: false };
  } finally {
    await closePdfJs(reader);
  }
});

export type LetterToCut = PageRange & { title: string; path: string };

/**
 * Cuts each letter out of the serial letter at `source` into a PDF of its own at its `path`
 * and, when `print` is given, merges its letters into one print PDF at `print.path`. Returns
 * the size of every file written, or null when the source is not a readable PDF.
 */
export const cutLetters = pdfJob(
  async ({ source, letters, print }: { source: string; letters: LetterToCut[]; print: { title: string; path: string; letters: PageRange[] } | null }) => {
    const pdf = await loadPdf(await readFile(source));
    if (!pdf) return null;
    const sizes: number[] = [];
    for (const letter of letters) {
      const bytes = await cutPages(pdf, letter.firstPage, letter.lastPage, letter.title);
      await writeFile(letter.path, bytes);
      sizes.push(bytes.length);
    }
    let printSize: number | null = null;
    if (print) {
      const bytes = await mergeForPrint(pdf, print.letters, print.title);
      await writeFile(print.path, bytes);
      printSize = bytes.length;
    }
    return { sizes, printSize };
  },
);
