import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsqr is CommonJS whose typings declare an ES default export: take whichever the runtime gives.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;
const STANDARD_FONTS = fileURLToPath(new URL('../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

/** A registration code as printed in letters (src/features/invitations/codes.ts). */
export const CODE = /\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b/;

/**
 * Reads a PDF the way a person would: the text of every page, and page 1 rendered to an
 * image (pdfjs + @napi-rs/canvas; saved to pngPath to look at) with the QR code it shows.
 */
export async function readPdf(bytes: Uint8Array, pngPath?: string) {
  const task = getDocument({ data: bytes.slice(), standardFontDataUrl: STANDARD_FONTS });
  const doc = await task.promise;
  const texts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    texts.push((await page.getTextContent()).items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  const page = await doc.getPage(1);
  const viewport = page.getViewport({ scale: 2 });
  const canvas = createCanvas(viewport.width, viewport.height);
  // pdfjs' types expect a DOM canvas; @napi-rs/canvas implements what it uses.
  await page.render({ canvasContext: canvas.getContext('2d') as never, viewport, canvas: canvas as never }).promise;
  if (pngPath) await writeFile(pngPath, canvas.toBuffer('image/png'));
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const qr = jsQR(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height)?.data ?? null;
  const pages = doc.numPages;
  await task.destroy();
  return { pages, texts, qr };
}
