import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { Organization } from '../../entities/index.ts';
import { DEFAULT_LANGUAGE, isLanguage, translator, type Language } from '../../http/i18n.ts';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { publicOrganizationScope } from '../../scopes/organization.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { brandBase } from '../branding/service.ts';
import { appIcon, DEFAULT_BRAND_COLOR, iconEtag, ICONS, type IconName } from './icons.ts';

/**
 * The portal as an app on the home screen (README, "Als App installieren"): a manifest and
 * icons per Verwaltung, public under its own URL (browsers fetch manifests without cookies,
 * so the URL names the Verwaltung), the offline page and the service worker
 * (static/sw.js). Nothing here is personal.
 */
export const PORTAL_SCOPE = '/portal';
export const SERVICE_WORKER_PATH = '/static/sw.js';
const MANIFEST_TYPE = 'application/manifest+json; charset=utf-8';
/** Icon and manifest links carry the Erscheinungsbild's version (views/layouts/portal.eta), so a day is safe. */
const BRAND_CACHE = 'public, max-age=86400';

/** The app's home: the portal, whose login shows the Verwaltung's Erscheinungsbild when logged out. */
export const startUrlOf = (organizationId: string) => `${PORTAL_SCOPE}?verwaltung=${organizationId}`;

/** The manifest's short name (home screen label, about 12 characters): the first word that fits, else the name cut. */
export function shortNameOf(name: string): string {
  const word = name.split(/\s+/).find((w) => w.length >= 3 && w.length <= 12 && !/^(gmbh|hausverwaltung|verwaltung)$/i.test(w));
  return word ?? name.slice(0, 12).trim();
}

type ManifestSource = Pick<Organization, 'id' | 'name' | 'portalName' | 'brandColor' | 'brandVersion'>;

/** The web app manifest of a Verwaltung's portal, in the given language. */
export function manifestOf(org: ManifestSource, lang: Language) {
  const t = translator(lang);
  const name = org.portalName || org.name;
  const color = org.brandColor ?? DEFAULT_BRAND_COLOR;
  const icon = (file: IconName, purpose: 'any' | 'maskable') => ({
    src: `${brandBase(org.id)}/${file}?v=${org.brandVersion ?? 0}`,
    sizes: `${ICONS[file].size}x${ICONS[file].size}`,
    type: 'image/png',
    purpose,
  });
  return {
    id: startUrlOf(org.id),
    name,
    short_name: shortNameOf(name),
    description: t('web-app:manifest.description', { name: org.name }),
    lang,
    dir: 'ltr',
    start_url: startUrlOf(org.id),
    scope: PORTAL_SCOPE,
    display: 'standalone',
    theme_color: color,
    background_color: color,
    icons: [icon('icon-192.png', 'any'), icon('icon-512.png', 'any'), icon('icon-maskable.png', 'maskable')],
  };
}

/** Manifest and icons of a Verwaltung; the offline page in either language. */
export function publicRoutes() {
  const router = Router();

  router.get(
    '/verwaltungen/:organizationId/manifest.webmanifest',
    scoped(publicOrganizationScope, (req, res, { organization }) => {
      const lang = isLanguage(req.query.sprache) ? req.query.sprache : DEFAULT_LANGUAGE;
      res.set({ 'Content-Type': MANIFEST_TYPE, 'Cache-Control': BRAND_CACHE });
      res.send(JSON.stringify(manifestOf(organization, lang)));
    }),
  );

  for (const file of Object.keys(ICONS) as IconName[]) {
    router.get(
      `/verwaltungen/:organizationId/${file}`,
      scoped(publicOrganizationScope, async (req, res, { organization }) => {
        res.set({
          'Content-Type': 'image/png',
          'Cache-Control': BRAND_CACHE,
          ETag: iconEtag(organization, file),
          'Cross-Origin-Resource-Policy': 'same-origin',
        });
        if (req.fresh) return res.status(304).end();
        res.send(await appIcon(req.storage, organization, file));
      }),
    );
  }

  // Fetched by the service worker when it installs, one copy per language; no session, no
  // CSRF token, so the kept copy holds nothing of anyone.
  router.get(
    '/offline/:lang',
    scoped(publicScope, (req, res) => {
      const lang = req.params.lang;
      if (!isLanguage(lang)) throw new NotFoundError(`no language ${lang}`);
      res.set('Cache-Control', 'no-cache');
      const t = translator(lang);
      render(req, res, 'web-app/offline', { layout: 'none', t, lang, brand: null, title: t('web-app:offline.title') });
    }),
  );

  return router;
}

/**
 * The service worker: a file in static/, served with a header that lets it control /portal
 * (its own folder would be its scope otherwise) and revalidated on every update check.
 */
export function serviceWorker(staticDir: string) {
  return (_req: Request, res: Response) => {
    res.sendFile(path.join(staticDir, 'sw.js'), {
      cacheControl: false,
      headers: {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Service-Worker-Allowed': PORTAL_SCOPE,
        'Cache-Control': 'no-cache',
      },
    });
  };
}
