import { writeFile } from 'node:fs/promises';
import { pdfJob } from '../../pdf/worker-job.ts';
import { buildNoticeLettersPdf, type NoticeLetter } from './letter-pdf.ts';

// "Nicht erreicht" letters drawn in a PDF worker thread (src/pdf/workers.ts), never on the
// thread that answers requests; ./receipts.ts calls it through the pool.

/** Draws the letters into one PDF at `path` and returns its size. */
export const drawNoticeLetters = pdfJob(
  async ({ letters, path, logoPng }: { letters: NoticeLetter[]; path: string; logoPng?: Uint8Array | null }): Promise<number> => {
    const bytes = await buildNoticeLettersPdf(letters, logoPng);
    await writeFile(path, bytes);
    return bytes.length;
  },
);
