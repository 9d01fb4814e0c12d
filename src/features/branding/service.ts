import type { Readable } from 'node:stream';
import type { Em } from '../../db/orm.ts';
import { LEGAL_TEXTS, Organization, type StaffUser } from '../../entities/index.ts';
import type { FieldErrors, FieldMessage } from '../../http/forms.ts';
import { discard, type Upload } from '../../http/upload.ts';
import { log } from '../../log.ts';
import { storeThenWrite, writeTempFile, type FileStorage } from '../../storage/files.ts';
import { auditStaffAction } from '../audit/service.ts';
import { configuredBaseUrl } from '../notifications/links.ts';
import { contrastWithWhite, formatRatio, MIN_CONTRAST, normalizeHexColor } from './contrast.ts';
import { prepareLogo, type PreparedLogo } from './logo.ts';

/**
 * The Erscheinungsbild of a Verwaltung, in one place: what the portal, its login page, mails
 * and generated PDFs show of it. Templates get it through views/shared/_brand.eta (and the
 * stylesheet link in views/shared/_head.eta), PDFs through `brandLogoPng`.
 */
export type Brand = {
  organizationId: string;
  /** The portal's name: the one set in Erscheinungsbild, else the Verwaltung's name. */
  name: string;
  /** Whether the Verwaltung set a portal name of its own (else the layouts keep their default titles). */
  ownName: boolean;
  /** Per-Verwaltung stylesheet (colour and logo as CSS custom properties), or null when neither is set. */
  stylesheet: string | null;
  color: string | null;
  /** Counts up with every change of the Erscheinungsbild: the version in the brand URLs. */
  version: number;
  /** Absolute-path URL of the PNG copy of the logo (for mails), or null. */
  logoPng: string | null;
  imprint: string | null;
  privacy: string | null;
};

export type BrandSource = Pick<Organization, 'id' | 'name'> &
  Partial<
    Pick<
      Organization,
      'portalName' | 'brandColor' | 'logoType' | 'logoPngKey' | 'brandVersion' | 'imprint' | 'privacyPolicy' | 'hasImprint' | 'hasPrivacyPolicy'
    >
  >;

/** The public URL mails link to (set at start, src/features/notifications/links.ts); '' before that (unit tests render mails bare). */
export function mailBaseUrl(): string {
  try {
    return configuredBaseUrl();
  } catch {
    return '';
  }
}

export const brandBase = (organizationId: string) => `/verwaltungen/${organizationId}`;

/** The brand of a Verwaltung (null: Hausportal's own). Links are paths; mails prefix the base URL. */
export function brandOf(org: BrandSource | null | undefined): Brand | null {
  if (!org?.id || org.name === undefined) return null;
  const base = brandBase(org.id);
  const v = org.brandVersion ?? 0;
  return {
    organizationId: org.id,
    name: org.portalName || org.name,
    ownName: Boolean(org.portalName),
    stylesheet: org.brandColor || org.logoType ? `${base}/marke.css?v=${v}` : null,
    color: org.brandColor ?? null,
    version: v,
    logoPng: org.logoPngKey ? `${base}/logo.png?v=${v}` : null,
    // The texts themselves are lazy (src/entities/organization.ts); the flags come with every Verwaltung.
    imprint: (org.hasImprint ?? org.imprint) ? `${base}/impressum` : null,
    privacy: (org.hasPrivacyPolicy ?? org.privacyPolicy) ? `${base}/datenschutz` : null,
  };
}

/** The stylesheet of a Verwaltung's brand: overrides --brand and --brand-logo (static/app.css) and nothing else. */
export function brandStylesheet(org: Organization): string {
  const lines: string[] = [];
  if (org.brandColor && normalizeHexColor(org.brandColor)) lines.push(`--brand: ${normalizeHexColor(org.brandColor)};`);
  if (org.logoType) lines.push(`--brand-logo: url("${brandBase(org.id)}/logo?v=${org.brandVersion}");`);
  return `:root { ${lines.join(' ')} }\n`;
}

/** The Erscheinungsbild form as shown. */
export type BrandForm = { portalName: string; brandColor: string; removeLogo: boolean };

export function brandFormOf(org: Organization): BrandForm {
  return { portalName: org.portalName ?? '', brandColor: org.brandColor ?? '', removeLogo: false };
}

export function parseBrandForm(body: Record<string, unknown>): BrandForm {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
  return { portalName: text('portalName'), brandColor: text('brandColor'), removeLogo: body.removeLogo !== undefined && body.removeLogo !== '' };
}

export type BrandErrors = Partial<Record<keyof BrandForm | 'logo', FieldMessage>>;

/** The colour's problem: not a colour, or too little contrast to white text (with the measured ratio). */
export function colorProblem(value: string): FieldMessage | null {
  if (!value) return null;
  const hex = normalizeHexColor(value);
  if (!hex) return 'branding:errors.colorInvalid';
  const ratio = contrastWithWhite(hex);
  if (ratio < MIN_CONTRAST) return ['branding:errors.colorContrast', { ratio: formatRatio(ratio), min: formatRatio(MIN_CONTRAST) }];
  return null;
}

/**
 * Saves the Erscheinungsbild, or returns the problems (nothing written then). A new logo is
 * checked and converted first (./logo.ts), stored with its PNG copy together with the row
 * (storeThenWrite); the files it replaces are removed after the commit.
 */
export async function saveBrand(
  em: Em,
  storage: FileStorage,
  admin: StaffUser,
  form: BrandForm,
  upload: Upload | null,
  now: Date,
): Promise<BrandErrors | null> {
  const errors: BrandErrors = {};
  if (form.portalName.length > 100) errors.portalName = 'branding:errors.portalNameTooLong';
  const color = colorProblem(form.brandColor);
  if (color) errors.brandColor = color;
  let logo: PreparedLogo | null = null;
  if (upload) {
    const prepared = await prepareLogo(upload.tempPath);
    await discard([upload.tempPath]);
    if ('error' in prepared) errors.logo = prepared.error;
    else logo = prepared.logo;
  }
  if (Object.keys(errors).length > 0) return errors;

  const temps = logo ? [await writeTempFile(storage, logo.original), await writeTempFile(storage, logo.png)] : [];
  const replaced = await storeThenWrite(storage, temps, (keys) =>
    em.transactional(async (tx) => {
      const org = await tx.findOneOrFail(Organization, admin.organization.id);
      const before = { portalName: org.portalName, brandColor: org.brandColor, logoType: org.logoType };
      const old = [org.logoKey, org.logoPngKey].filter((k): k is string => Boolean(k));
      org.portalName = form.portalName || null;
      org.brandColor = form.brandColor ? normalizeHexColor(form.brandColor) : null;
      let gone: string[] = [];
      if (logo) {
        Object.assign(org, { logoType: logo.type, logoKey: keys[0], logoPngKey: keys[1] });
        gone = old;
      } else if (form.removeLogo) {
        Object.assign(org, { logoType: null, logoKey: null, logoPngKey: null });
        gone = old;
      }
      org.brandVersion += 1;
      const after = { portalName: org.portalName, brandColor: org.brandColor, logoType: org.logoType };
      auditStaffAction(tx, admin, 'branding.changed', { type: 'Organization', id: org.id }, { before, after, newLogo: Boolean(logo) }, now);
      return gone;
    }),
  );
  await Promise.all(replaced.map((key) => storage.remove(key).catch((error) => log.warn(`old logo ${key} not removed: ${error}`))));
  return null;
}

export const LEGAL_TEXT_MAX = 20_000;

/** Impressum and Datenschutzerklärung as typed. */
export type LegalForm = { imprint: string; privacyPolicy: string };

export function legalFormOf(org: Organization): LegalForm {
  return { imprint: org.imprint ?? '', privacyPolicy: org.privacyPolicy ?? '' };
}

export function parseLegalForm(body: Record<string, unknown>): LegalForm {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).replace(/\r\n?/g, '\n').trim() : '');
  return { imprint: text('imprint'), privacyPolicy: text('privacyPolicy') };
}

/** Saves Impressum and Datenschutzerklärung (plain text; paragraphs and links as everywhere, src/http/view-helpers.ts richText). */
export async function saveLegal(em: Em, admin: StaffUser, form: LegalForm, now: Date): Promise<FieldErrors | null> {
  const errors: FieldErrors = {};
  if (form.imprint.length > LEGAL_TEXT_MAX) errors.imprint = 'branding:errors.textTooLong';
  if (form.privacyPolicy.length > LEGAL_TEXT_MAX) errors.privacyPolicy = 'branding:errors.textTooLong';
  if (Object.keys(errors).length > 0) return errors;
  const org = await em.findOneOrFail(Organization, admin.organization.id, { populate: LEGAL_TEXTS });
  const changed = (org.imprint ?? '') !== form.imprint || (org.privacyPolicy ?? '') !== form.privacyPolicy;
  if (!changed) return null;
  org.imprint = form.imprint || null;
  org.privacyPolicy = form.privacyPolicy || null;
  auditStaffAction(
    em,
    admin,
    'legal_texts.changed',
    { type: 'Organization', id: org.id },
    { imprint: Boolean(org.imprint), privacyPolicy: Boolean(org.privacyPolicy) },
    now,
  );
  await em.flush();
  return null;
}

/** The PNG copy of the logo as bytes, for PDFs drawn elsewhere (null without a logo). */
export async function brandLogoPng(storage: FileStorage, org: Pick<Organization, 'logoPngKey'>): Promise<Uint8Array | null> {
  if (!org.logoPngKey) return null;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of storage.open(org.logoPngKey) as Readable) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (error) {
    log.warn(`logo ${org.logoPngKey} unreadable: ${error}`);
    return null;
  }
}
