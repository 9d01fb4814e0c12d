import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contact, InvitationLetterBatch, Ticket, Organization, OutboxMail } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';

/**
 * Administration › Kundenportal › Erscheinungsbild and Impressum & Datenschutz
 * (src/features/branding): what is refused and why, and where the brand shows — portal,
 * login page, mails, invitation letters — through views/shared/_brand.eta.
 */
let app: TestApp;
let admin: Client;
const PAGE = '/verwaltung/administration/kundenportal/erscheinungsbild';
const LEGAL = '/verwaltung/administration/kundenportal/rechtliches';
const all = { filters: { tenant: false } } as const;

const LOGO_SVG = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" rx="6" fill="#0b5d3b"/><circle cx="20" cy="20" r="12" fill="#fff"/></svg>',
);
const EVIL_SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

const sonnenschein = () => app.em().findOneOrFail(Organization, app.world.organizations.sonnenschein.id);

beforeAll(async () => {
  app = await startTestApp();
  admin = app.client();
  await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

function saveBrand(fields: Record<string, string>, logo?: { content: Buffer; type: string }) {
  return admin.postMultipart(PAGE, fields, logo ? [{ name: 'logo.svg', ...logo }] : [], 'logo');
}

describe('Erscheinungsbild: bad input', () => {
  it('refuses a colour with too little contrast to white text, names the measured ratio and writes nothing', async () => {
    const before = await sonnenschein();
    const filesBefore = await filesUnder(app.storageDir);
    const page = await saveBrand({ portalName: 'Sonnenschein Portal', brandColor: '#7fb2e5' }, { content: LOGO_SVG, type: 'image/svg+xml' });
    expect(page.status).toBe(422);
    expect(page.$('#brandColor-error').text()).toMatch(/^Kontrast 2,\d:1 – mindestens 4,5:1 nötig/);
    expect(page.$('#brand-brandColor').attr('aria-invalid')).toBe('true');
    expect(page.$('#brand-portalName').val()).toBe('Sonnenschein Portal');
    const after = await sonnenschein();
    expect([after.portalName, after.brandColor, after.logoKey, after.brandVersion]).toEqual([
      before.portalName,
      before.brandColor,
      before.logoKey,
      before.brandVersion,
    ]);
    expect(await filesUnder(app.storageDir)).toEqual(filesBefore);
  });

  it('refuses an SVG with a script or event handler with a clear German message (not silently changed)', async () => {
    const page = await saveBrand({ portalName: 'Sonnenschein Portal', brandColor: '#0b5d3b' }, { content: EVIL_SVG, type: 'image/svg+xml' });
    expect(page.status).toBe(422);
    expect(page.$('#logo-error').text()).toContain('Das SVG enthält Skripte oder Ereignis-Attribute');
    expect((await sonnenschein()).logoKey).toBeNull();
    const external = await saveBrand(
      {},
      {
        content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.com/x.png" width="9" height="9"/></svg>'),
        type: 'image/svg+xml',
      },
    );
    expect(external.$('#logo-error').text()).toContain('verweist auf externe Inhalte');
    const text = await saveBrand({}, { content: Buffer.from('just text'), type: 'text/plain' });
    expect(text.$('#logo-error').text()).toBe('Das Logo muss eine PNG- oder SVG-Datei sein.');
  });
});

describe('Erscheinungsbild in use', () => {
  let org: Organization;
  beforeAll(async () => {
    const answer = await saveBrand({ portalName: 'Sonnenschein Mieterportal', brandColor: '#0B5D3B' }, { content: LOGO_SVG, type: 'image/svg+xml' });
    expect(answer.status).toBe(303);
    const legal = await admin.post(LEGAL, {
      imprint: 'Hausverwaltung Sonnenschein GmbH\nLeopoldstraße 40',
      privacyPolicy: 'Wir verarbeiten Ihre Daten nach Art. 6 DSGVO.',
    });
    expect(legal.status).toBe(303);
    org = await sonnenschein();
  });

  it('keeps the sanitised SVG and a PNG copy, served publicly and cacheable, the SVG unable to run anything', async () => {
    expect([org.portalName, org.brandColor, org.logoType]).toEqual(['Sonnenschein Mieterportal', '#0b5d3b', 'svg']);
    const svg = await fetch(`${app.baseUrl}/verwaltungen/${org.id}/logo?v=${org.brandVersion}`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(svg.headers.get('cache-control')).toContain('public');
    expect(await svg.text()).toContain('<rect');
    const png = await fetch(`${app.baseUrl}/verwaltungen/${org.id}/logo.png?v=${org.brandVersion}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const page = await admin.get(PAGE);
    expect(page.$('.brand-preview img').attr('src')).toBe(`/verwaltungen/${org.id}/logo?v=${org.brandVersion}`);
    expect(page.$('#brand-removeLogo').length).toBe(1);
    expect(page.$('#brand-brandColor').val()).toBe('#0b5d3b');
    const css = await (await fetch(`${app.baseUrl}/verwaltungen/${org.id}/marke.css?v=${org.brandVersion}`)).text();
    expect(css).toContain('--brand: #0b5d3b;');
    expect(css).toContain(`--brand-logo: url("/verwaltungen/${org.id}/logo?v=${org.brandVersion}")`);
  });

  it('shows the portal name, the colour and the Impressum link on the portal and its login page', async () => {
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const portal = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);
    expect(portal.$('header .brand-name').text()).toBe('Sonnenschein Mieterportal');
    expect(portal.$(`link[rel=stylesheet][href="/verwaltungen/${org.id}/marke.css?v=${org.brandVersion}"]`).length).toBe(1);
    expect(
      portal
        .$('footer a')
        .filter((_, a) => portal.$(a).text() === 'Impressum')
        .attr('href'),
    ).toBe(`/verwaltungen/${org.id}/impressum`);
    expect(
      portal
        .$('footer a')
        .filter((_, a) => portal.$(a).text() === 'Datenschutz')
        .attr('href'),
    ).toBe(`/verwaltungen/${org.id}/datenschutz`);

    const login = await app.client().get(`/portal/anmelden?verwaltung=${org.id}`);
    expect(login.$('header .brand-name').text()).toBe('Sonnenschein Mieterportal');
    expect(login.$(`link[href^="/verwaltungen/${org.id}/marke.css"]`).length).toBe(1);
    expect(login.$('footer a[href$="/impressum"]').text()).toBe('Impressum');
    // Without a Verwaltung named, the login page is Hausportal's own.
    expect((await app.client().get('/portal/anmelden')).$('header .brand-name').text()).toBe('Hausportal');

    const imprint = await app.client().get(`/verwaltungen/${org.id}/impressum`);
    expect(imprint.status).toBe(200);
    expect(imprint.$('main').text()).toContain('Leopoldstraße 40');
  });

  it('puts the PNG copy, the colour and the Impressum link into mails', async () => {
    const client = app.client();
    await client.post('/portal/passwort-vergessen', { email: 'kristina.maiblume@example.de' });
    await app.settle();
    const [mail] = await app.em().find(OutboxMail, { to: 'kristina.maiblume@example.de' }, { ...all, orderBy: { createdAt: 'desc' }, limit: 1 });
    expect(mail.html).toContain(`<img src="${app.baseUrl}/verwaltungen/${org.id}/logo.png?v=${org.brandVersion}"`);
    expect(mail.html).toContain('border-bottom:3px solid #0b5d3b');
    expect(mail.html).toContain('Sonnenschein Mieterportal');
    expect(mail.html).toContain(`href="${app.baseUrl}/verwaltungen/${org.id}/impressum"`);
    expect(mail.text).toContain(`Impressum: ${app.baseUrl}/verwaltungen/${org.id}/impressum`);
  });

  it('draws the PNG copy into the letterhead of invitation letters', async () => {
    const krause = await app.em().findOneOrFail(Contact, { lastName: 'Krause' }, all);
    const answer = await admin.post(`/verwaltung/kontakte/${krause.id}/einladung`, { channel: 'letter' });
    expect(answer.status).toBe(303);
    const [batch] = await app.em().find(InvitationLetterBatch, {}, { ...all, orderBy: { createdAt: 'desc' }, limit: 1 });
    const response = await fetch(`${app.baseUrl}/verwaltung/einladungsbriefe/${batch.id}`, { headers: admin.browserHeaders() });
    const pdf = Buffer.from(await response.arrayBuffer()).toString('latin1');
    // The logo is the PNG copy, drawn as an image of its size (the QR code is the other picture).
    const png = await sharp(Buffer.from(await (await fetch(`${app.baseUrl}/verwaltungen/${org.id}/logo.png`)).arrayBuffer())).metadata();
    expect(png.height).toBe(240);
    const images = pdf.match(/<<[^>]*\/Subtype \/Image[^>]*>>/g) ?? [];
    expect(images.some((dict) => dict.includes(`/Width ${png.width}\n`) && dict.includes(`/Height ${png.height}\n`))).toBe(true);
  });

  it('draws the PNG copy into the PDF of a Vorgang', async () => {
    const ticket = await app.em().findOneOrFail(Ticket, { title: 'Wasserhahn in der Küche tropft' }, all);
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const response = await fetch(`${app.baseUrl}/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}/pdf`, {
      headers: kristina.browserHeaders(),
    });
    expect(response.status).toBe(200);
    const pdf = Buffer.from(await response.arrayBuffer()).toString('latin1');
    const images = pdf.match(/<<[^>]*\/Subtype \/Image[^>]*>>/g) ?? [];
    expect(images.some((dict) => dict.includes('/Height 240\n'))).toBe(true);
  });

  it('keeps another Verwaltung out: its admin sees and changes only its own', async () => {
    const nora = app.client();
    await nora.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    const page = await nora.get(PAGE);
    expect(page.$('#brand-portalName').val()).toBe('');
    expect(page.$('#brand-brandColor').val()).toBe('');
    expect((await nora.get(LEGAL)).$('#legal-imprint').text()).toBe('');
    await nora.postMultipart(PAGE, { portalName: 'Nordhaus', brandColor: '#222222' }, [], 'logo');
    expect((await sonnenschein()).portalName).toBe('Sonnenschein Mieterportal');
    // Residents of Nordhaus do not get Sonnenschein's pages; an unknown Verwaltung is a 404.
    expect((await app.client().get('/verwaltungen/00000000-0000-4000-8000-000000000000/impressum')).status).toBe(404);
    expect((await app.client().get(`/verwaltungen/${app.world.organizations.nordhaus.id}/impressum`)).status).toBe(404);
  });
});
