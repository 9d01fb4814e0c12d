import { extractText, getDocumentProxy } from 'unpdf';

/** A registration code as printed in letters (src/features/invitations/codes.ts). */
export const CODE = /\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b/;

/**
 * The text of every page of a PDF, as a reader would copy it (pdf.js through unpdf). The
 * page as an image, with its QR code, is checked in the browser: test/e2e/pdf.ts.
 */
export async function readPdf(bytes: Uint8Array): Promise<{ pages: number; texts: string[] }> {
  const pdf = await getDocumentProxy(bytes.slice());
  const { totalPages, text } = await extractText(pdf, { mergePages: false });
  await pdf.cleanup();
  return { pages: totalPages, texts: text };
}
