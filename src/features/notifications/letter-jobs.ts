import { readFile, writeFile } from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { pdfJob } from '../../pdf/worker-job.ts';
import { buildNoticeLettersPdf, type NoticeLetter } from './letter-pdf.ts';

// "Nicht erreicht" letters drawn in a PDF worker thread (src/pdf/workers.ts), never on the
// thread that answers requests; ./receipts.ts calls it through the pool.

export type NoticeLettersJob = {
  /** The PDF's title (metadata). */
  title: string;
  letters: NoticeLetter[];
  /**
   * A PDF (a temp copy of a stored document) whose pages follow each letter. When pdf-lib
   * cannot read it (damaged, encrypted), the letters go without it and name the attachment
   * under `fallbackHeading` ("im Kundenportal abrufbar") instead.
   */
  appendix: { path: string; fallbackHeading: string } | null;
  /** Where the PDF is written. */
  path: string;
  /** The Verwaltung's logo for the letterhead (the PNG copy of its Erscheinungsbild, src/features/branding). */
  logoPng?: Uint8Array | null;
};

/** Draws the letters into one PDF at `path`; tells its size and whether the appendix went in. */
export const drawNoticeLetters = pdfJob(async ({ title, letters, appendix, path, logoPng }: NoticeLettersJob): Promise<{ size: number; appended: boolean }> => {
  const source = appendix ? await readAppendix(appendix.path) : null;
  const drawn = appendix && !source ? letters.map((letter) => ({ ...letter, attachmentsHeading: appendix.fallbackHeading })) : letters;
  const bytes = await buildNoticeLettersPdf(title, drawn, source, logoPng ?? null);
  await writeFile(path, bytes);
  return { size: bytes.length, appended: source !== null };
});

async function readAppendix(path: string): Promise<PDFDocument | null> {
  try {
    const pdf = await PDFDocument.load(await readFile(path), { updateMetadata: false });
    // A file without a page tree loads, and fails only when its pages are counted.
    return pdf.getPageCount() > 0 ? pdf : null;
  } catch {
    return null;
  }
}
