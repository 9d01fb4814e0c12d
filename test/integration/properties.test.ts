import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

let app: TestApp;
let manager: Client;
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const rowTexts = (page: Awaited<ReturnType<Client['get']>>, selector: string) =>
  page
    .$(selector)
    .map((_, el) => page.$(el).text().replace(/\s+/g, ' ').trim())
    .get();

describe('Liegenschaften list', () => {
  it('lists the properties of the Verwaltung with address, kind and unit count', async () => {
    const page = await manager.get('/verwaltung/liegenschaften');
    const row = rowTexts(page, '#property-results tbody tr').find((t) => t.startsWith('Max-Planck-Straße 12'));
    expect(row).toBe('Max-Planck-Straße 12 Max-Planck-Straße 12, 80638 München · Max-Planck-Straße 12a, 80638 München Mietverwaltung 9');
    expect(page.$('#property-results tbody tr')).toHaveLength(5);
  });

  it('finds properties by postcode, city and street, and treats % literally', async () => {
    for (const [q, expected] of [
      ['80638', ['Max-Planck-Straße 12']],
      ['grünwald', ['Lindenallee 5–7']],
      ['Rosen', ['Rosenweg 24']],
      ['%', []],
    ] as const) {
      const page = await manager.get(`/verwaltung/liegenschaften?q=${encodeURIComponent(q)}`);
      expect(
        page
          .$('#property-results tbody tr a')
          .map((_, a) => page.$(a).text())
          .get(),
        q,
      ).toEqual(expected);
    }
  });

  it('answers the htmx live search with the results fragment only', async () => {
    const page = await manager.get('/verwaltung/liegenschaften?q=Rosen', { 'HX-Request': 'true', 'HX-Target': 'property-results' });
    expect(page.headers.get('vary')).toMatch(/HX-Request/);
    expect(page.text).not.toContain('<html');
    expect(page.$('nav.mainnav, form')).toHaveLength(0);
    expect(page.$('tbody tr a').text()).toBe('Rosenweg 24');
  });

  it('shows an empty page, not an error, past the last page', async () => {
    const page = await manager.get('/verwaltung/liegenschaften?seite=9');
    expect(page.status).toBe(200);
    expect(page.$('.empty').text()).toBe('Keine Liegenschaften gefunden.');
    expect(page.text).toContain('Seite 9 von 1 · 5 Einträge');
  });
});

describe('property page', () => {
  it('shows units with their tenants and owners, vacancies and coming contracts', async () => {
    const page = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten`);
    const rows = rowTexts(page, 'tbody tr');
    const wohnung002 = rows.find((t) => t.startsWith('Wohnung 002'))!;
    expect(wohnung002).toContain('Mieter: Kristina Maiblume');
    expect(wohnung002).toContain('Eigentümer: Dr. Heinrich Eigner');
    expect(wohnung002).toContain('67,3 m²');
    expect(rows.find((t) => t.startsWith('Wohnung 004'))).toMatch(/Mieter: Peter Schulz \(beginnt \d\d\.\d\d\.\d{4}\)/);
    expect(rows.find((t) => t.startsWith('Wohnung 004'))).toMatch(/Mieter: Aylin Demir \(beendet \d\d\.\d\d\.\d{4}\)/);
    expect(rows.find((t) => t.startsWith('Gewerbe 01'))).toContain('Bäckerei Brotzeit GmbH');
  });

  it('lists the contacts of the property once each, with all their contracts', async () => {
    const page = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/kontakte`);
    const names = page
      .$('tbody th')
      .map((_, th) => page.$(th).text())
      .get();
    expect(names.filter((n) => n === 'Dr. Heinrich Eigner')).toHaveLength(1);
    expect(names).toContain('Kristina Maiblume');
  });

  it('shows the overview figures', async () => {
    const page = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}`);
    const facts = Object.fromEntries(
      page
        .$('.facts div')
        .map((_, div) => [[page.$(div).find('dt').text(), page.$(div).find('dd').text()]])
        .get(),
    );
    expect(facts).toMatchObject({ Einheiten: '9' });
    // Art and ERP-Nummer stand in the side column, on every tab.
    expect(page.$('.property-detail .detail-side .contact-facts').text()).toContain('WEG');
    expect(page.$('[aria-current=page]').text()).toContain('Übersicht');
  });
});
