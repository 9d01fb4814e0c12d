import { writeFile } from 'node:fs/promises';
import { pdfJob } from '../../pdf/worker-job.ts';
import { drawReportPdf, type ReportPdfContent } from './pdf-layout.ts';

// The drawing of a Bericht's PDF as a job of the PDF workers (src/pdf/workers.ts): this
// module runs in a worker thread; ./output.ts calls it through the pool.

/** Draws the PDF of a Bericht at `path` (chosen by the caller, who removes it) and returns its size. */
export const drawReport = pdfJob(async ({ content, path }: { content: ReportPdfContent; path: string }): Promise<number> => {
  const bytes = await drawReportPdf(content);
  await writeFile(path, bytes);
  return bytes.length;
});
