import { writeFile } from 'node:fs/promises';
import { pdfJob } from '../../pdf/worker-job.ts';
import { buildLettersPdf, type Letter } from './letter-pdf.ts';

// The drawing of invitation letters as a job of the PDF workers (src/pdf/workers.ts): this
// module runs in a worker thread, never on the thread that answers requests (300 letters
// take seconds); service.ts calls it through the pool.

/** Draws the letters into one PDF at `path` (chosen by the caller, who removes it should the job fail) and returns its size. */
export const drawLetters = pdfJob(async ({ letters, path, logoPng }: { letters: Letter[]; path: string; logoPng?: Uint8Array | null }): Promise<number> => {
  const bytes = await buildLettersPdf(letters, logoPng);
  await writeFile(path, bytes);
  return bytes.length;
});
