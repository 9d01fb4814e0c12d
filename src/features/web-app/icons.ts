import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Organization } from '../../entities/index.ts';
import type { FileStorage } from '../../storage/files.ts';
import { brandLogoPng } from '../branding/service.ts';

/**
 * The app icons of a Verwaltung's portal, drawn from its Erscheinungsbild: the logo on white
 * when it has one, else its initials in white on its colour (the colour has 4.5:1 against
 * white, src/features/branding/contrast.ts). Initials need a sans-serif font known to
 * fontconfig on the server (README, "Als App installieren").
 */
export const DEFAULT_BRAND_COLOR = '#1f5f99'; // static/app.css --brand

/**
 * size: edge in px; content: share of the edge the logo or initials may fill; rounded: own
 * rounded corners (the "any" icons), while maskable and Apple icons are full-bleed squares
 * the system cuts itself. Maskable keeps its content within the safe zone (the inner 80 %
 * circle, so at most ~56 % of the edge).
 */
export const ICONS = {
  'icon-192.png': { size: 192, content: 0.7, rounded: true },
  'icon-512.png': { size: 512, content: 0.7, rounded: true },
  'icon-maskable.png': { size: 512, content: 0.52, rounded: false },
  'apple-touch-icon.png': { size: 180, content: 0.66, rounded: false },
} as const;
export type IconName = keyof typeof ICONS;

/** Bump when the drawing changes: it is part of the ETag. */
const DRAWING_VERSION = 1;
const MAX_CACHED = 64;

type IconSource = Pick<Organization, 'id' | 'name' | 'portalName' | 'brandColor' | 'brandVersion' | 'logoPngKey'>;

/** Legal forms say nothing about a Verwaltung: "Hausverwaltung Sonnenschein GmbH" is "HS". */
const LEGAL_FORMS = new Set(['gmbh', 'mbh', 'ag', 'kg', 'ug', 'gbr', 'ohg', 'e.v.', 'ev', 'se', '&', 'co.', 'co', 'und']);

/** One or two capital letters of the name's first two words. */
export function initialsOf(name: string): string {
  const words = name
    .split(/[\s\-/]+/)
    .filter((w) => w && !LEGAL_FORMS.has(w.toLowerCase()))
    .map((w) => [...w].find((c) => /\p{L}|\p{N}/u.test(c)))
    .filter((c): c is string => Boolean(c));
  return words.slice(0, 2).join('').toUpperCase() || 'H';
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The ETag of an icon: changes with the Erscheinungsbild (brandVersion) and the drawing. */
export function iconEtag(org: IconSource, name: IconName): string {
  const hash = createHash('sha256')
    .update(`${DRAWING_VERSION}:${org.id}:${org.brandVersion ?? 0}:${name}`)
    .digest('base64url');
  return `"${hash.slice(0, 27)}"`;
}

function background(size: number, color: string, rounded: boolean): Buffer {
  const radius = rounded ? Math.round(size * 0.18) : 0;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" rx="${radius}" fill="${color}"/></svg>`,
  );
}

async function drawInitials(org: IconSource, name: IconName): Promise<Buffer> {
  const { size, content, rounded } = ICONS[name];
  const color = org.brandColor ?? DEFAULT_BRAND_COLOR;
  const initials = escapeXml(initialsOf(org.portalName || org.name));
  const fontSize = Math.round(size * content * (initials.length > 1 ? 0.62 : 0.8));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><text x="50%" y="50%" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-weight="bold" font-size="${fontSize}" fill="#ffffff" text-anchor="middle" dominant-baseline="central">${initials}</text></svg>`;
  return sharp(background(size, color, rounded))
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

async function drawLogo(logo: Uint8Array, name: IconName): Promise<Buffer> {
  const { size, content, rounded } = ICONS[name];
  const box = Math.round(size * content);
  const fitted = await sharp(logo).resize({ width: box, height: box, fit: 'inside' }).png().toBuffer();
  return sharp(background(size, '#ffffff', rounded))
    .composite([{ input: fitted, gravity: 'centre' }])
    .flatten(rounded ? false : { background: '#ffffff' })
    .png()
    .toBuffer();
}

/**
 * Rendered icons, kept in this process per Verwaltung, Erscheinungsbild version and icon
 * (a few KB each, at most MAX_CACHED): an icon is drawn once, not per request.
 */
const rendered = new Map<string, Promise<Buffer>>();

/** The PNG of one app icon of a Verwaltung. */
export function appIcon(storage: FileStorage, org: IconSource, name: IconName): Promise<Buffer> {
  const key = `${org.id}:${org.brandVersion ?? 0}:${name}`;
  const cached = rendered.get(key);
  if (cached) return cached;
  const drawing = (async () => {
    const logo = await brandLogoPng(storage, org);
    return logo ? drawLogo(logo, name) : drawInitials(org, name);
  })();
  // A failed drawing is not kept: the next request tries again.
  drawing.catch(() => rendered.delete(key));
  rendered.set(key, drawing);
  if (rendered.size > MAX_CACHED) rendered.delete(rendered.keys().next().value as string);
  return drawing;
}
