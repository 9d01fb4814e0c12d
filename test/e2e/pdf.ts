import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

/**
 * Turns page 1 of a PDF into an image the way a reader's browser would: pdf.js (the build
 * that ships with unpdf) draws it onto a canvas in Chromium. Returns the PNG and what a
 * phone camera would read from the QR code on it (jsQR on the canvas pixels). Everything is
 * served from node_modules under a made-up origin: nothing leaves the machine.
 */
const ORIGIN = 'https://pdf-render.test';
const ASSETS: Record<string, { file: string; type: string }> = {
  '/pdfjs.mjs': { file: fileURLToPath(import.meta.resolve('unpdf/pdfjs')), type: 'text/javascript' },
  '/jsqr.js': { file: fileURLToPath(import.meta.resolve('jsqr')), type: 'text/javascript' },
};

// pdf.js is loaded by the page itself (a module script), not by evaluate(): vitest rewrites
// dynamic imports inside functions it passes to the browser.
const PAGE = `<!doctype html><canvas id="pdf"></canvas><script src="/jsqr.js"></script>
<script type="module">import * as pdfjs from '/pdfjs.mjs'; window.pdfjs = pdfjs;</script>`;

export async function renderPdfInBrowser(browser: Browser, bytes: Uint8Array, pngPath?: string): Promise<{ png: Buffer; qr: string | null }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.route(`${ORIGIN}/**`, (route) => {
      const asset = ASSETS[new URL(route.request().url()).pathname];
      if (asset) return route.fulfill({ body: readFileSync(asset.file), contentType: asset.type });
      return route.fulfill({ body: PAGE, contentType: 'text/html' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => 'pdfjs' in window);
    const qr = await page.evaluate(async (base64) => {
      // biome-ignore lint/suspicious/noExplicitAny: pdf.js document, read in the page without its types
      type PdfJs = { getDocument(source: { data: Uint8Array }): { promise: Promise<any> } };
      const pdfjs = (window as unknown as { pdfjs: PdfJs }).pdfjs;
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const doc = await pdfjs.getDocument({ data }).promise;
      const pdfPage = await doc.getPage(1);
      const viewport = pdfPage.getViewport({ scale: 2 });
      const canvas = document.getElementById('pdf') as HTMLCanvasElement;
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      const context = canvas.getContext('2d')!;
      await pdfPage.render({ canvasContext: context, viewport, canvas }).promise;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      const jsQR = (window as unknown as { jsQR: (data: Uint8ClampedArray, w: number, h: number) => { data: string } | null }).jsQR;
      return jsQR(pixels.data, pixels.width, pixels.height)?.data ?? null;
    }, Buffer.from(bytes).toString('base64'));
    const png = await page.locator('#pdf').screenshot();
    if (pngPath) await writeFile(pngPath, png);
    return { png, qr };
  } finally {
    await context.close();
  }
}
