import { writeFile } from 'node:fs/promises';
import { pdfJob } from '../../pdf/worker-job.ts';
import { drawTicketPdf, type TicketPdfContent } from './pdf-layout.ts';

// The drawing of a Vorgang's PDF as a job of the PDF workers (src/pdf/workers.ts): this
// module runs in a worker thread, never on the thread that answers requests; ./pdf.ts calls
// it through the pool.

/** Draws the PDF of a Vorgang at `path` (chosen by the caller, who removes it) and returns its size. */
export const drawTicket = pdfJob(async ({ content, path }: { content: TicketPdfContent; path: string }): Promise<number> => {
  const bytes = await drawTicketPdf(content);
  await writeFile(path, bytes);
  return bytes.length;
});
