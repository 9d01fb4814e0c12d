import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * The portal as an installable app (src/features/web-app, README "Als App installieren"):
 * manifest and icons per Verwaltung, fetched without cookies as browsers do, the service
 * worker's headers and shell, the offline page, and what the portal layout links.
 * The worker's behaviour in a browser: test/e2e/web-app.test.ts.
 */
let app: TestApp;
let kristina: Client;
const BRAND = { portalName: 'Sonnenschein Mieterportal', brandColor: '#0b5d3b' };
const LOGO_PNG = () =>
  sharp({ create: { width: 300, height: 100, channels: 3, background: '#c0392b' } })
    .png()
    .toBuffer();

type Manifest = {
  id: string;
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  lang: string;
  description: string;
  icons: { src: string; sizes: string; type: string; purpose: string }[];
};

const sonnenscheinId = () => app.world.organizations.sonnenschein.id;
const nordhausId = () => app.world.organizations.nordhaus.id;

/** A request as a browser sends a manifest or icon request: no cookie at all. */
const bare = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, app.baseUrl), { headers, redirect: 'manual' });

async function manifestOf(organizationId: string, query = ''): Promise<{ response: Response; manifest: Manifest }> {
  const response = await bare(`/verwaltungen/${organizationId}/manifest.webmanifest${query}`);
  return { response, manifest: (await response.clone().json()) as Manifest };
}

/** The colour of one pixel of a PNG as #rrggbb. */
async function pixel(png: Buffer, x: number, y: number): Promise<string> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return `#${[data[i], data[i + 1], data[i + 2]].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

beforeAll(async () => {
  app = await startTestApp();
  const admin = app.client();
  await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  const saved = await admin.postMultipart('/verwaltung/administration/kundenportal/erscheinungsbild', BRAND, [], 'logo');
  expect(saved.status).toBe(303);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
});
afterAll(() => app?.close());

describe('manifest per Verwaltung', () => {
  it("is served without cookies with the Verwaltung's name, colours, start URL and scope", async () => {
    const { response, manifest } = await manifestOf(sonnenscheinId());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(manifest).toMatchObject({
      name: 'Sonnenschein Mieterportal',
      short_name: 'Sonnenschein',
      start_url: `/portal?verwaltung=${sonnenscheinId()}`,
      id: `/portal?verwaltung=${sonnenscheinId()}`,
      scope: '/portal',
      display: 'standalone',
      theme_color: '#0b5d3b',
      background_color: '#0b5d3b',
      lang: 'de',
      description: 'Das Bewohnerportal von Hausverwaltung Sonnenschein GmbH',
    });
    expect(manifest.icons.map((i) => [i.sizes, i.purpose, i.type])).toEqual([
      ['192x192', 'any', 'image/png'],
      ['512x512', 'any', 'image/png'],
      ['512x512', 'maskable', 'image/png'],
    ]);
    const english = await manifestOf(sonnenscheinId(), '?sprache=en');
    expect([english.manifest.lang, english.manifest.description]).toEqual(['en', 'The resident portal of Hausverwaltung Sonnenschein GmbH']);
  });

  it("does not leak another Verwaltung's name, colour or icons; an unknown Verwaltung is a 404", async () => {
    const { manifest } = await manifestOf(nordhausId());
    expect(manifest.name).toBe('Nordhaus Immobilienverwaltung KG');
    expect(manifest.theme_color).toBe('#1f5f99');
    const text = JSON.stringify(manifest);
    for (const other of ['Sonnenschein', '#0b5d3b', sonnenscheinId()]) expect(text).not.toContain(other);
    expect(manifest.icons.every((i) => i.src.startsWith(`/verwaltungen/${nordhausId()}/`))).toBe(true);
    expect((await bare('/verwaltungen/00000000-0000-4000-8000-000000000000/manifest.webmanifest')).status).toBe(404);
    expect((await bare('/verwaltungen/00000000-0000-4000-8000-000000000000/icon-192.png')).status).toBe(404);
    expect((await bare('/verwaltungen/not-an-id/manifest.webmanifest')).status).toBe(404);
  });
});

describe('icons', () => {
  it('are real PNGs of the sizes the manifest names, in the brand colour, plus a 180 px apple-touch-icon', async () => {
    const { manifest } = await manifestOf(sonnenscheinId());
    const apple = `/verwaltungen/${sonnenscheinId()}/apple-touch-icon.png?v=1`;
    for (const [src, size] of [...manifest.icons.map((i) => [i.src, Number(i.sizes.split('x')[0])] as const), [apple, 180] as const]) {
      const response = await bare(src);
      expect(response.status, src).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      const png = Buffer.from(await response.arrayBuffer());
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height], src).toEqual(['png', size, size]);
      expect(await pixel(png, 3, Math.round(size / 2)), src).toBe('#0b5d3b');
      // The initials ("SM" of Sonnenschein Mieterportal) are drawn in white somewhere in the middle.
      const { data } = await sharp(png)
        .extract({ left: Math.round(size * 0.3), top: Math.round(size * 0.3), width: Math.round(size * 0.4), height: Math.round(size * 0.4) })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(
        data.some((_, i) => i % 3 === 0 && data[i] > 240 && data[i + 1] > 240 && data[i + 2] > 240),
        src,
      ).toBe(true);
    }
    const nordhaus = Buffer.from(await (await bare(`/verwaltungen/${nordhausId()}/icon-maskable.png`)).arrayBuffer());
    expect(await pixel(nordhaus, 0, 0)).toBe('#1f5f99');
  });

  it('carry an ETag and a cache header; the same ETag answers 304; a new Erscheinungsbild changes it', async () => {
    const path = `/verwaltungen/${nordhausId()}/icon-192.png`;
    const first = await bare(path);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=86400');
    // What a browser sends to revalidate (fetch would add "no-cache" to a bare If-None-Match).
    const revalidate = { 'if-none-match': etag!, 'cache-control': 'max-age=0' };
    const again = await bare(path, revalidate);
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);

    // Nordhaus uploads a (red) logo: the icons show it on white, under a new ETag.
    const admin = app.client();
    await admin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    const saved = await admin.postMultipart(
      '/verwaltung/administration/kundenportal/erscheinungsbild',
      { portalName: '', brandColor: '' },
      [{ name: 'logo.png', type: 'image/png', content: await LOGO_PNG() }],
      'logo',
    );
    expect(saved.status).toBe(303);
    const changed = await bare(path, revalidate);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const png = Buffer.from(await changed.arrayBuffer());
    expect([await pixel(png, 96, 96), await pixel(png, 96, 20)]).toEqual(['#c0392b', '#ffffff']);
    // Sonnenschein's icons stay its own.
    const sonnenschein = Buffer.from(await (await bare(`/verwaltungen/${sonnenscheinId()}/icon-maskable.png`)).arrayBuffer());
    expect(await pixel(sonnenschein, 0, 0)).toBe('#0b5d3b');
  });
});

describe('portal layout', () => {
  it("links the resident's Verwaltung's manifest, apple-touch-icon and theme colour, and the worker's script", async () => {
    const page = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);
    expect(page.status).toBe(200);
    const base = `/verwaltungen/${sonnenscheinId()}`;
    expect(page.$('link[rel=manifest]').attr('href')).toMatch(new RegExp(`^${base}/manifest\\.webmanifest\\?v=\\d+&sprache=de$`));
    expect(page.$('link[rel=apple-touch-icon]').attr('href')).toMatch(new RegExp(`^${base}/apple-touch-icon\\.png\\?v=\\d+$`));
    expect(page.$('meta[name=theme-color]').attr('content')).toBe('#0b5d3b');
    expect(page.$('script[src="/static/app-install.js"]').length).toBe(1);
    // The page itself stays out of every HTTP cache.
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('names an opaque reader id per login (never the e-mail), none when logged out', async () => {
    const first = await kristina.get('/portal/profil');
    const reader = first.headers.get('x-portal-reader');
    expect(reader).toMatch(/^[\w-]{32}$/);
    expect(first.text).not.toContain(reader!);
    expect((await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`)).headers.get('x-portal-reader')).toBe(reader);
    const again = app.client();
    await again.loginPortal('kristina.maiblume@example.de', app.world.password);
    expect((await again.get('/portal')).headers.get('x-portal-reader')).not.toBe(reader);
    const eigner = app.client();
    await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
    expect((await eigner.get('/portal')).headers.get('x-portal-reader')).not.toBe(reader);

    const loggedOut = await app.client().get('/portal/anmelden');
    expect(loggedOut.headers.get('x-portal-reader')).toBeNull();
    expect(loggedOut.$('link[rel=manifest]').length).toBe(0);
  });

  it('the console and the preview link no manifest and no worker', async () => {
    const admin = app.client();
    await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    const console = await admin.get('/verwaltung');
    expect(console.$('link[rel=manifest], script[src="/static/app-install.js"]').length).toBe(0);
    const opened = await admin.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/vorschau`);
    const preview = await admin.get(opened.location!);
    expect(preview.status).toBe(200);
    expect(preview.$('link[rel=manifest], script[src="/static/app-install.js"]').length).toBe(0);
  });

  it("the app's start address leads a logged-out resident to the Verwaltung's own login page", async () => {
    const start = await app.client().get(`/portal?verwaltung=${sonnenscheinId()}`);
    expect(start.status).toBe(303);
    const login = await app.client().get(start.location!);
    expect(login.$('header .brand-name').text()).toBe('Sonnenschein Mieterportal');
  });
});

describe('service worker and offline page', () => {
  it('is served as JavaScript with the header that lets it control /portal, revalidated on each update', async () => {
    const response = await bare('/static/sw.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('service-worker-allowed')).toBe('/portal');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await response.text()).toBe(await readFile(new URL('../../static/sw.js', import.meta.url), 'utf8'));
  });

  it('every file of its shell exists (a new htmx file name must reach static/sw.js)', async () => {
    const source = await readFile(new URL('../../static/sw.js', import.meta.url), 'utf8');
    const files = JSON.parse((/const SHELL_FILES = (\[[^\]]+\])/.exec(source)?.[1] ?? '[]').replace(/'/g, '"')) as string[];
    expect(files).toContain('/offline/de');
    for (const file of files) expect((await bare(file)).status, file).toBe(200);
    const head = await readFile(new URL('../../views/shared/_head.eta', import.meta.url), 'utf8');
    for (const script of head.matchAll(/src="(\/static\/[^"]+)"/g)) expect(files).toContain(script[1]);
  });

  it('the offline page exists in German and English, holds no session, token or personal data', async () => {
    const de = await app.client().get('/offline/de');
    expect(de.status).toBe(200);
    expect(de.$('html').attr('lang')).toBe('de');
    expect(de.$('h1').text()).toBe('Keine Internetverbindung');
    const en = await app.client().get('/offline/en');
    expect(en.$('h1').text()).toBe('No internet connection');
    for (const page of [de, en]) {
      expect(page.text).not.toMatch(/csrf|data-hx-headers/i);
    }
    // Asked for with a resident's cookie, it is the same page.
    const withSession = await kristina.get('/offline/de');
    expect(withSession.text).toBe(de.text);
    expect((await app.client().get('/offline/fr')).status).toBe(404);
  });
});
