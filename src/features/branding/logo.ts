import { readFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * The Verwaltung's logo: a PNG, or an SVG. What is kept:
 * - PNG: re-encoded by sharp (no metadata, at most 1024 px), and the same as the PNG copy;
 * - SVG: the file after DOMPurify's SVG profile, refused (not silently changed) when it holds
 *   anything active: scripts, event handlers (onload=…), foreignObject or embedded HTML, and
 *   references to anything outside the file (href, url(…), @import). Harmless editor
 *   metadata DOMPurify drops (Inkscape's sodipodi:*) is dropped without a word. Browsers
 *   show the SVG; mails and PDFs cannot, so a PNG copy is rendered from the cleaned SVG.
 * The SVG is also served with a CSP that allows no script (./routes.ts), should any slip by.
 */
export const MAX_LOGO_BYTES = 1024 * 1024;
const MAX_EDGE = 1024;
/** Height of the PNG copy: sharp in a mail header (about 40 px shown) and a letterhead. */
const PNG_COPY_HEIGHT = 240;

export type PreparedLogo = { type: 'png' | 'svg'; original: Buffer; png: Buffer };
export type LogoResult = { logo: PreparedLogo } | { error: string };

const SVG_START = /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i;

/** PNG by its signature; SVG by its text. */
export function logoTypeOf(bytes: Buffer): 'png' | 'svg' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (SVG_START.test(bytes.subarray(0, 4096).toString('utf8'))) return 'svg';
  return null;
}

/** Reads, checks and converts an uploaded logo; an i18n key of the problem otherwise. */
export async function prepareLogo(tempPath: string): Promise<LogoResult> {
  const bytes = await readFile(tempPath);
  if (bytes.length > MAX_LOGO_BYTES) return { error: 'branding:errors.logoTooLarge' };
  const type = logoTypeOf(bytes);
  if (!type) return { error: 'branding:errors.logoType' };
  try {
    if (type === 'png') {
      const png = await sharp(bytes, { limitInputPixels: 40_000_000, failOn: 'error' })
        .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true })
        .png()
        .toBuffer();
      return { logo: { type, original: png, png } };
    }
    const cleaned = await sanitizeSvg(bytes.toString('utf8'));
    if ('error' in cleaned) return cleaned;
    const original = Buffer.from(cleaned.svg, 'utf8');
    const png = await sharp(original, { density: 144, limitInputPixels: 40_000_000, failOn: 'error' })
      .resize({ height: PNG_COPY_HEIGHT, width: PNG_COPY_HEIGHT * 4, fit: 'inside' })
      .png()
      .toBuffer();
    return { logo: { type, original, png } };
  } catch {
    return { error: type === 'png' ? 'branding:errors.logoUnreadable' : 'branding:errors.svgUnreadable' };
  }
}

/** Elements whose presence means the file is active or reaches out, not a picture. */
const ACTIVE_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'audio', 'video', 'handler', 'listener', 'animate', 'set']);
/** Anything in an attribute or stylesheet that loads from elsewhere. */
const EXTERNAL_URL = /url\(\s*['"]?\s*(?!#)[^)\s]|@import/i;
/** A raster picture inside the file itself. */
const EMBEDDED_IMAGE = /^data:image\/(png|jpe?g|gif|webp);/i;

type SvgCheck = { svg: string } | { error: string };

/** DOMPurify's SVG profile over the text; refuses (with the reason) what is active or external. */
export async function sanitizeSvg(text: string): Promise<SvgCheck> {
  // Loaded on first use: the DOM is large and only an admin's logo upload needs it.
  const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')]);
  const { window } = new JSDOM('');
  const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
  let external = false;
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    const value = data.attrValue.trim();
    if ((name === 'href' || name === 'xlink:href') && !value.startsWith('#') && !EMBEDDED_IMAGE.test(value)) external = true;
    if (EXTERNAL_URL.test(value)) external = true;
  });
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && EXTERNAL_URL.test(node.textContent ?? '')) external = true;
  });
  const svg = purify.sanitize(text, { USE_PROFILES: { svg: true, svgFilters: true }, WHOLE_DOCUMENT: false }) as string;
  const active = purify.removed.some((item) => {
    if ('element' in item) {
      const tag = (item.element as Element).nodeName?.toLowerCase() ?? '';
      return ACTIVE_ELEMENTS.has(tag);
    }
    const name = (item.attribute as Attr | null)?.name?.toLowerCase() ?? '';
    return name.startsWith('on') || name === 'href' || name === 'xlink:href';
  });
  window.close();
  if (active) return { error: 'branding:errors.svgActive' };
  if (external) return { error: 'branding:errors.svgExternal' };
  if (!/^\s*<svg[\s>]/i.test(svg)) return { error: 'branding:errors.svgUnreadable' };
  return { svg };
}
