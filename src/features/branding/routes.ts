import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { LEGAL_TEXTS, Organization } from '../../entities/index.ts';
import { HttpError, NotFoundError } from '../../http/errors.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { receiveUploads, type AcceptedTypes } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { publicOrganizationScope } from '../../scopes/organization.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope } from '../../scopes/staff.ts';
import { StoredFileMissingError } from '../../storage/files.ts';
import { logoTypeOf, MAX_LOGO_BYTES } from './logo.ts';
import { open } from 'node:fs/promises';
import {
  brandFormOf,
  brandOf,
  brandStylesheet,
  LEGAL_TEXT_MAX,
  legalFormOf,
  parseBrandForm,
  parseLegalForm,
  saveBrand,
  saveLegal,
  type BrandErrors,
  type BrandForm,
  type LegalForm,
} from './service.ts';

const BASE = '/verwaltung/administration/kundenportal';

/** PNG or SVG, decided by content (./logo.ts); SVG has no signature file-type knows. */
const LOGO_UPLOADS: AcceptedTypes = {
  types: new Map([
    ['png', 'image/png'],
    ['svg', 'image/svg+xml'],
  ]),
  wrongType: 'branding:errors.logoType',
  detect: async (filePath) => {
    // The first 4 KB decide (an upload may be 50 MB before the size is checked).
    const file = await open(filePath);
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(4096), position: 0 }).finally(() => file.close());
    const type = logoTypeOf(buffer.subarray(0, bytesRead));
    return type === 'png' ? { ext: 'png', mimeType: 'image/png' } : type === 'svg' ? { ext: 'svg', mimeType: 'image/svg+xml' } : null;
  },
};

/** Administration > Kundenportal > Erscheinungsbild and Impressum & Datenschutz (admins only). */
export function adminRoutes() {
  const router = Router();
  const organizationOf = (req: Request, id: string) => req.em.findOneOrFail(Organization, id);
  // The legal texts are lazy (src/entities/organization.ts): loaded only where they are edited.
  const organizationWithTexts = (req: Request, id: string) => req.em.findOneOrFail(Organization, id, { populate: LEGAL_TEXTS });

  const showBrand = (req: Request, res: Response, org: Organization, form: BrandForm, errors: BrandErrors = {}, status = 200) =>
    render(
      req,
      res,
      'branding/appearance',
      {
        title: req.t('branding:appearance.title'),
        form,
        org,
        current: brandOf(org),
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
        maxLogoKb: MAX_LOGO_BYTES / 1024,
      },
      status,
    );

  const showLegal = (req: Request, res: Response, org: Organization, form: LegalForm, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'branding/legal',
      { title: req.t('branding:legal.title'), form, org, errors: fieldMessages(req.t, errors), saved: req.query.gespeichert === '1', max: LEGAL_TEXT_MAX },
      status,
    );

  router.get(
    '/erscheinungsbild',
    scoped(adminScope, async (req, res, { organizationId }) => {
      const org = await organizationOf(req, organizationId);
      showBrand(req, res, org, brandFormOf(org));
    }),
  );

  router.post(
    '/erscheinungsbild',
    scoped(adminScope, async (req, res, { staff, organizationId }) => {
      const received = await receiveUploads(req, res, req.storage, 'logo', LOGO_UPLOADS);
      const form = parseBrandForm(req.body ?? {});
      if (received.error) return showBrand(req, res, await organizationOf(req, organizationId), form, { logo: received.error }, 422);
      const errors = await saveBrand(req.em, req.storage, staff, form, received.files[0] ?? null, req.deps.clock.now());
      if (errors) return showBrand(req, res, await organizationOf(req, organizationId), form, errors, 422);
      res.redirect(303, `${BASE}/erscheinungsbild?gespeichert=1`);
    }),
  );

  router.get(
    '/rechtliches',
    scoped(adminScope, async (req, res, { organizationId }) => {
      const org = await organizationWithTexts(req, organizationId);
      showLegal(req, res, org, legalFormOf(org));
    }),
  );

  router.post(
    '/rechtliches',
    scoped(adminScope, async (req, res, { staff, organizationId }) => {
      const form = parseLegalForm(req.body ?? {});
      const errors = await saveLegal(req.em, staff, form, req.deps.clock.now());
      if (errors) return showLegal(req, res, await organizationWithTexts(req, organizationId), form, errors, 422);
      res.redirect(303, `${BASE}/rechtliches?gespeichert=1`);
    }),
  );

  return router;
}

/** Brand files change only with a new version in their URL (brandOf), so they may be kept a day. */
const BRAND_CACHE = 'public, max-age=86400';

/**
 * What a Verwaltung shows everyone, without a login: its brand stylesheet and logo (no
 * personal data, cacheable), its Impressum and Datenschutzerklärung.
 */
export function publicRoutes() {
  const router = Router();

  router.get(
    '/verwaltungen/:organizationId/marke.css',
    scoped(publicOrganizationScope, (_req, res, { organization }) => {
      res.set({ 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': BRAND_CACHE });
      res.send(brandStylesheet(organization));
    }),
  );

  const sendLogo = async (req: Request, res: Response, key: string | null, type: string | null) => {
    if (!key || !type) throw new NotFoundError('no logo');
    try {
      await req.storage.size(key);
    } catch (error) {
      if (error instanceof StoredFileMissingError) throw new NotFoundError(`logo ${key} missing`);
      throw error;
    }
    res.set({
      'Content-Type': type === 'svg' ? 'image/svg+xml' : 'image/png',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': BRAND_CACHE,
      // Opened on its own, an SVG is a document: it may draw, never run anything.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    await pipeline(req.storage.open(key), res);
  };

  router.get(
    '/verwaltungen/:organizationId/logo',
    scoped(publicOrganizationScope, (req, res, { organization }) => sendLogo(req, res, organization.logoKey ?? null, organization.logoType ?? null)),
  );

  // The PNG copy: for mails and PDFs, which cannot show SVG.
  router.get(
    '/verwaltungen/:organizationId/logo.png',
    scoped(publicOrganizationScope, (req, res, { organization }) =>
      sendLogo(req, res, organization.logoPngKey ?? null, organization.logoPngKey ? 'png' : null),
    ),
  );

  for (const [path, property, key] of [
    ['impressum', 'imprint', 'imprint'],
    ['datenschutz', 'privacyPolicy', 'privacy'],
  ] as const) {
    router.get(
      `/verwaltungen/:organizationId/${path}`,
      scoped(publicOrganizationScope, async (req, res, { organization }) => {
        await req.em.populate(organization, [property]);
        const text = organization[property];
        if (!text) throw new HttpError(404, `branding:legal.${key}Missing`);
        render(req, res, 'branding/legal-page', { layout: 'public', brand: brandOf(organization), title: req.t(`branding:legal.${key}`), text, organization });
      }),
    );
  }

  return router;
}
