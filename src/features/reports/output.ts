import { readFile, rm } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { TFunction } from 'i18next';
import type { PdfWorkers } from '../../pdf/workers.ts';
import { newTempPath, type FileStorage } from '../../storage/files.ts';
// Type-only: the PDF is drawn in the PDF workers, pdf-lib never loads on the request thread.
import type { drawReport } from './pdf-jobs.ts';
import type { ReportDocument } from './present.ts';

/** The worker module that draws a Bericht's PDF. */
const PDF_JOBS = new URL('./pdf-jobs.ts', import.meta.url);

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, return first) is written with a
 * leading apostrophe. Numbers are our own formatted amounts (the table marks them numeric)
 * and keep their minus sign.
 */
export function formulaSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A Bericht as CSV for Excel: UTF-8 with BOM, `;`, German numbers (1.234,56), every table under its caption. */
export function reportCsv(document: ReportDocument): string {
  const records: string[][] = [[formulaSafe(document.title)], [formulaSafe(document.subtitle)]];
  for (const table of document.tables) {
    records.push([], [formulaSafe(table.caption)], table.head.map(formulaSafe));
    for (const row of table.rows) records.push(row.cells.map((cell, i) => (table.numeric[i] && cell.numeric ? cell.text : formulaSafe(cell.text))));
  }
  return stringify(records, { delimiter: ';', bom: true, record_delimiter: 'windows' });
}

function attachment(res: Response, type: string, fileName: string, body: Buffer | string) {
  res.set({
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.send(body);
}

export function sendReportCsv(res: Response, document: ReportDocument) {
  attachment(res, 'text/csv; charset=utf-8', `${document.fileName}.csv`, reportCsv(document));
}

/** Draws the Bericht in a PDF worker and sends it. */
export async function sendReportPdf(
  res: Response,
  document: ReportDocument,
  options: { t: TFunction; organization: string; property: string; storage: FileStorage; pdf: PdfWorkers },
) {
  const { chart: _chart, fileName, ...rest } = document;
  const content = {
    ...rest,
    organization: options.organization,
    property: options.property,
    pageOf: String(options.t('reports:pdf.pageOf', { page: '{{page}}', pages: '{{pages}}' })),
  };
  const path = await newTempPath(options.storage);
  try {
    await options.pdf.run<typeof drawReport>(PDF_JOBS, 'drawReport', { content, path });
    attachment(res, 'application/pdf', `${fileName}.pdf`, await readFile(path));
  } finally {
    await rm(path, { force: true });
  }
}
