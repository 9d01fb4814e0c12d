import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contract, Unit } from '../../src/entities/index.ts';
import type { Client, Page } from '../support/client.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let staff: Client;
let nordhaus: Client;
beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nordhaus = app.client();
  await nordhaus.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
});
afterAll(() => app?.close());

const all = { filters: { tenant: false } } as const;
const fieldError = (page: Page, name: string) => page.$(`#${name}-error`).text().trim();
const rows = (page: Page) =>
  page
    .$('tbody tr')
    .map((_, tr) => page.$(tr).text().replace(/\s+/g, ' ').trim())
    .get();
/** Kristina Maiblume's Mietvertrag for Wohnung 002 in Max-Planck-Straße 12. */
const kristinasContract = () =>
  app
    .em()
    .findOneOrFail(Contract, { contacts: app.world.contacts.kristina.id, unit: app.world.units.wohnung002.id }, { ...all, populate: ['contacts', 'unit'] });
const reload = (id: string) => app.em().findOneOrFail(Contract, { id }, { ...all, populate: ['contacts'] });

/** A valid new-contract form for Wohnung 002 with Kristina; tests override fields. */
const contractForm = (fields: Record<string, string | string[]> = {}) => ({
  liegenschaft: app.world.properties.maxPlanck.id,
  einheit: app.world.units.wohnung002.id,
  kind: 'rental',
  contractNumber: 'MV-TEST-1',
  startsOn: '01.04.2027',
  endsOn: '',
  externalId: '',
  kontakte: [app.world.contacts.kristina.id],
  ...fields,
});

describe('Verträge list', () => {
  it('lists the contracts of the Verwaltung with unit, property and contacts, under the Stammdaten navigation', async () => {
    const page = await staff.get('/verwaltung/vertraege');
    expect(page.status).toBe(200);
    expect(page.$('nav.subnav a[aria-current=page]').text()).toBe('Verträge');
    const row = page.$('tbody tr').filter((_, tr) => page.$(tr).text().includes('Kristina Maiblume'));
    expect(row).toHaveLength(1);
    expect(row.find(`a[href="/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${app.world.units.wohnung002.id}"]`).text()).toBe(
      'Wohnung 002',
    );
    expect(row.find(`a[href="/verwaltung/kontakte/${app.world.contacts.kristina.id}"]`)).toHaveLength(1);
    expect(rows(page).some((r) => r.includes('Frieda Friesen'))).toBe(false);
    // Einheit ascending by default: Gewerbehof Am Hafen 3 before Lindenallee before Max-Planck-Straße.
    const properties = page
      .$('tbody th .muted')
      .map((_, s) => page.$(s).text())
      .get();
    expect(properties).toEqual([...properties].sort((a, b) => a.localeCompare(b, 'de')));
  });

  it('searches contract number, unit number and contact names', async () => {
    const contract = await kristinasContract();
    for (const q of [contract.contractNumber!, 'Maiblume', 'Stellplatz']) {
      const page = await staff.get(`/verwaltung/vertraege?q=${encodeURIComponent(q)}`);
      expect(page.$('tbody tr').length, q).toBeGreaterThan(0);
      expect(
        rows(page).every((r) => r.includes(q)),
        q,
      ).toBe(true);
    }
    expect((await staff.get('/verwaltung/vertraege?q=%25')).$('.empty').text()).toBe('Keine Verträge gefunden.');
  });

  it('filters by Art and Status', async () => {
    const owners = await staff.get('/verwaltung/vertraege?art=eigentum');
    expect(rows(owners).length).toBeGreaterThan(0);
    expect(rows(owners).every((r) => r.includes('Eigentum'))).toBe(true);
    const future = await staff.get('/verwaltung/vertraege?status=kuenftig');
    expect(rows(future)).toHaveLength(1);
    expect(rows(future)[0]).toContain('Peter Schulz');
    const ended = await staff.get('/verwaltung/vertraege?status=beendet&art=miete');
    expect(rows(ended)).toHaveLength(1);
    expect(rows(ended)[0]).toContain('Aylin Demir');
  });

  it('sorts by Beginn, Ende and Vertragsnummer both ways, and pages by 50 keeping the filters (also as htmx fragment)', async () => {
    const em = app.em();
    const organization = app.world.organizations.sonnenschein.id;
    const unit = await em.findOneOrFail(Unit, { id: app.world.units.wohnung002.id }, all);
    for (let i = 1; i <= 60; i++) {
      em.create(Contract, {
        organization,
        kind: 'ownership',
        unit,
        contacts: [app.world.contacts.eigner.id],
        startsOn: `2001-01-${String((i % 28) + 1).padStart(2, '0')}`,
        endsOn: '2001-12-31',
        contractNumber: `ALT-${String(i).padStart(3, '0')}`,
        createdAt: new Date(),
      });
    }
    await em.flush();

    const starts = (page: Page) =>
      page
        .$('tbody tr')
        .map((_, tr) => page.$(tr).find('td').eq(3).text())
        .get()
        .map((d) => d.split('.').reverse().join('-'));
    const ascending = starts(await staff.get('/verwaltung/vertraege?sortierung=beginn&art=eigentum'));
    expect(ascending).toEqual([...ascending].sort());
    const descending = starts(await staff.get('/verwaltung/vertraege?sortierung=-beginn&art=eigentum'));
    expect(descending).toEqual([...descending].sort().reverse());

    const numbers = (page: Page) =>
      page
        .$('tbody tr')
        .map((_, tr) => page.$(tr).find('td').eq(1).text())
        .get();
    const byNumber = await staff.get('/verwaltung/vertraege?q=ALT-&sortierung=-nummer');
    expect(numbers(byNumber)[0]).toBe('ALT-060');
    expect(byNumber.$('th[aria-sort=descending]').text()).toContain('Vertragsnummer');
    expect(byNumber.text).toContain('Seite 1 von 2 · 60 Einträge');
    const next = byNumber.$('.pagination a[rel=next]').attr('href');
    expect(next).toBe('/verwaltung/vertraege?q=ALT-&sortierung=-nummer&seite=2');

    const second = await staff.get(next!, { 'HX-Request': 'true', 'HX-Target': 'contract-results' });
    expect(second.text).not.toContain('<html');
    expect(second.$('form')).toHaveLength(0);
    expect(numbers(second)).toHaveLength(10);
    expect(numbers(second).at(-1)).toBe('ALT-001');
    // Past the end of a search (its rows and count come from one statement): no rows, the count still there.
    const beyond = await staff.get('/verwaltung/vertraege?q=ALT-&sortierung=-nummer&seite=3');
    expect(numbers(beyond)).toEqual([]);
    expect(beyond.text).toContain('60 Einträge');

    const ends = await staff.get('/verwaltung/vertraege?sortierung=ende&status=beendet');
    expect(ends.status).toBe(200);
    expect(ends.$('th[aria-sort=ascending]').text()).toContain('Ende');
  });
});

describe('Vertrag page', () => {
  it('shows unit with property link, contacts with links, period and number', async () => {
    const contract = await kristinasContract();
    const page = await staff.get(`/verwaltung/vertraege/${contract.id}`);
    expect(page.$('h1').text()).toBe(`Mietvertrag ${contract.contractNumber}`);
    expect(page.$(`a[href="/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}"]`).text()).toBe('Max-Planck-Straße 12');
    expect(page.$(`a[href="/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${app.world.units.wohnung002.id}"]`).text()).toBe(
      'Wohnung 002',
    );
    expect(page.$(`a[href="/verwaltung/kontakte/${app.world.contacts.kristina.id}"]`).text()).toBe('Kristina Maiblume');
    expect(page.text).toContain('unbefristet');
  });
});

describe('Neuer Vertrag', () => {
  it('prefills unit and contact from the contact page link', async () => {
    const page = await staff.get(`/verwaltung/vertraege/neu?einheit=${app.world.units.wohnung002.id}&kontakt=${app.world.contacts.kristina.id}`);
    expect(page.$('#contract-property option[selected]').text()).toBe('Max-Planck-Straße 12');
    expect(page.$('#contract-unit option[selected]').text()).toBe('Wohnung 002');
    expect(page.$(`input[name=kontakte][value=${app.world.contacts.kristina.id}]`).attr('checked')).toBeDefined();
    // The contacts with a contract in the property are offered; Rosenweg's tenant is not.
    const offered = page
      .$('#contract-contacts label')
      .map((_, l) => page.$(l).text())
      .get()
      .join(' ');
    expect(offered).toContain('Dr. Heinrich Eigner');
    expect(offered).not.toContain('Marta Nowak');
  });

  it('shows the units after choosing the property, and finds other contacts, keeping what was entered', async () => {
    const units = await staff.post('/verwaltung/vertraege', {
      liegenschaft: app.world.properties.rosenweg.id,
      contractNumber: 'MV-ROSE',
      aktion: 'liegenschaft',
    });
    expect(units.status).toBe(200);
    expect(
      units
        .$('#contract-unit option')
        .map((_, o) => units.$(o).text())
        .get(),
    ).toContain('Stellplatz 3');
    expect(units.$('#contract-contractNumber').val()).toBe('MV-ROSE');
    expect(units.$('.field-error')).toHaveLength(0);

    const found = await staff.post('/verwaltung/vertraege', {
      liegenschaft: app.world.properties.rosenweg.id,
      kontakte: [app.world.contacts.kristina.id],
      kontaktsuche: 'Friesen',
      aktion: 'suchen',
    });
    expect(found.$('#contract-contacts label').text()).not.toContain('Frieda Friesen');
    const becker = await staff.post('/verwaltung/vertraege', {
      liegenschaft: app.world.properties.rosenweg.id,
      kontakte: [app.world.contacts.kristina.id],
      kontaktsuche: 'Becker',
      aktion: 'suchen',
    });
    expect(becker.$('#contract-contacts label').text()).toContain('Jonas Becker');
    expect(becker.$(`input[name=kontakte][value=${app.world.contacts.kristina.id}]`).attr('checked')).toBeDefined();
  });

  it('does the same through htmx without a reload: choosing the Liegenschaft swaps in its units and contacts, typing searches', async () => {
    const form = await staff.get('/verwaltung/vertraege/neu');
    // The property select and the search post the form with their `aktion` and keep only the parts they change.
    const select = form.$('#contract-property');
    expect(select.attr('data-hx-post')).toBe('/verwaltung/vertraege');
    expect(JSON.parse(select.attr('data-hx-vals')!)).toEqual({ aktion: 'liegenschaft' });
    expect(select.attr('data-hx-select')).toBe('#contract-unit-choice');
    expect(select.attr('data-hx-select-oob')).toBe('#contract-candidates');
    const search = form.$('#contract-contact-search');
    expect(JSON.parse(search.attr('data-hx-vals')!)).toEqual({ aktion: 'suchen' });
    expect(search.attr('data-hx-select')).toBe('#contract-candidates');
    expect(form.$('#contract-unit-choice #contract-unit')).toHaveLength(1);
    expect(form.$('#contract-candidates #contract-contacts')).toHaveLength(1);

    const contractCount = () => app.em().count(Contract, {}, { filters: { tenant: false } });
    const before = await contractCount();
    const htmx = { headers: { 'HX-Request': 'true', 'HX-Target': 'contract-unit-choice' } };
    const units = await staff.post('/verwaltung/vertraege', { liegenschaft: app.world.properties.rosenweg.id, aktion: 'liegenschaft' }, htmx);
    expect(units.status).toBe(200);
    expect(units.text).not.toMatch(/<html|<nav class="mainnav"/);
    expect(
      units
        .$('#contract-unit-choice #contract-unit option')
        .map((_, o) => units.$(o).text())
        .get(),
    ).toContain('Stellplatz 3');
    expect(units.$('#contract-candidates label').text()).toContain('Marta Nowak');
    expect(units.headers.get('hx-location')).toBeNull();

    const found = await staff.post(
      '/verwaltung/vertraege',
      { liegenschaft: app.world.properties.rosenweg.id, kontaktsuche: 'Beck', aktion: 'suchen' },
      { headers: { 'HX-Request': 'true', 'HX-Target': 'contract-candidates' } },
    );
    expect(found.$('#contract-candidates label').text()).toContain('Jonas Becker');
    const none = await staff.post(
      '/verwaltung/vertraege',
      { liegenschaft: '', kontaktsuche: 'Gibtesnicht', aktion: 'suchen' },
      { headers: { 'HX-Request': 'true' } },
    );
    expect(none.$('#contract-candidates').text()).toContain('Kein Kontakt gefunden');
    // Nothing was saved by any of them.
    expect(await contractCount()).toBe(before);
  });

  it('creates a contract from German or ISO dates', async () => {
    const created = await staff.post(
      '/verwaltung/vertraege',
      contractForm({ kontakte: [app.world.contacts.kristina.id, app.world.contacts.eigner.id], endsOn: '2028-03-31' }),
    );
    expect(created.status).toBe(303);
    const id = /\/verwaltung\/vertraege\/([0-9a-f-]{36})\?erledigt=angelegt$/.exec(created.location ?? '')![1];
    const stored = await reload(id);
    expect(stored).toMatchObject({ kind: 'rental', contractNumber: 'MV-TEST-1', startsOn: '2027-04-01', endsOn: '2028-03-31', erpSyncedAt: null });
    expect(
      stored.contacts
        .getItems()
        .map((c) => c.id)
        .sort(),
    ).toEqual([app.world.contacts.kristina.id, app.world.contacts.eigner.id].sort());
    expect((await staff.get(created.location!)).$('[role=status]').text()).toBe('Der Vertrag wurde angelegt.');
  });

  it('answers 422 with the messages next to the fields and the form kept', async () => {
    const page = await staff.post(
      '/verwaltung/vertraege',
      contractForm({ startsOn: '01.04.2027', endsOn: '31.03.2027', kontakte: [], contractNumber: 'MV-FEHLER' }),
    );
    expect(page.status).toBe(422);
    expect(fieldError(page, 'endsOn')).toBe('Das Ende liegt vor dem Beginn.');
    expect(fieldError(page, 'kontakte')).toBe('Bitte mindestens einen Kontakt wählen.');
    expect(page.$('#contract-contractNumber').val()).toBe('MV-FEHLER');
    expect(page.$('#contract-startsOn').val()).toBe('2027-04-01');

    const dates = await staff.post('/verwaltung/vertraege', contractForm({ startsOn: '31.02.2027' }));
    expect(dates.status).toBe(422);
    expect(fieldError(dates, 'startsOn')).toBe('Bitte ein gültiges Datum angeben, z. B. 31.12.2026.');

    // A unit of another property than the chosen one.
    const unit = await staff.post('/verwaltung/vertraege', contractForm({ liegenschaft: app.world.properties.rosenweg.id }));
    expect(unit.status).toBe(422);
    expect(fieldError(unit, 'einheit')).toBe('Bitte eine Einheit der gewählten Liegenschaft wählen.');
    expect(await app.em().count(Contract, { contractNumber: 'MV-FEHLER' }, all)).toBe(0);
  });

  it('refuses a post without CSRF token', async () => {
    const page = await staff.post('/verwaltung/vertraege', contractForm({ contractNumber: 'MV-OHNE-TOKEN' }), { csrf: false });
    expect(page.status).toBe(403);
    expect(await app.em().count(Contract, { contractNumber: 'MV-OHNE-TOKEN' }, all)).toBe(0);
  });
});

describe('Vertrag bearbeiten', () => {
  it('stores the changes', async () => {
    const contract = await app.em().findOneOrFail(Contract, { contacts: app.world.contacts.hoffmann.id }, { ...all, populate: ['unit'] });
    const form = await staff.get(`/verwaltung/vertraege/${contract.id}/bearbeiten`);
    expect(form.$('#contract-unit option[selected]').text()).toBe(contract.unit.number);
    const saved = await staff.post(
      `/verwaltung/vertraege/${contract.id}`,
      contractForm({
        einheit: contract.unit.id,
        kontakte: [app.world.contacts.hoffmann.id],
        contractNumber: 'MV-NEU',
        startsOn: contract.startsOn,
        endsOn: '',
      }),
    );
    expect(saved.status).toBe(303);
    expect(await reload(contract.id)).toMatchObject({ contractNumber: 'MV-NEU', endsOn: null });
  });

  it('ignores the fields the ERP owns even when posted, and leaves archiving to the ERP', async () => {
    const contract = await app.em().findOneOrFail(Contract, { contacts: app.world.contacts.demir.id }, { ...all, populate: ['unit', 'contacts'] });
    const em = app.em();
    const record = await em.findOneOrFail(Contract, { id: contract.id }, all);
    record.erpSyncedAt = new Date();
    await em.flush();

    const form = await staff.get(`/verwaltung/vertraege/${contract.id}/bearbeiten`);
    expect(form.$('#contract-contractNumber').attr('disabled')).toBeDefined();
    expect(form.$('#contract-unit').attr('disabled')).toBeDefined();
    expect(form.$('label[for=contract-startsOn] .erp-badge')).toHaveLength(1);
    expect(form.$('.erp-note')).toHaveLength(1);

    const saved = await staff.post(
      `/verwaltung/vertraege/${contract.id}`,
      contractForm({
        contractNumber: 'MV-GEKAPERT',
        kontakte: [app.world.contacts.kristina.id],
        startsOn: '2020-01-01',
        endsOn: '',
        externalId: 'VT-GEKAPERT',
      }),
    );
    expect(saved.status).toBe(303);
    const stored = await reload(contract.id);
    expect(stored).toMatchObject({
      contractNumber: contract.contractNumber,
      startsOn: contract.startsOn,
      endsOn: contract.endsOn,
      externalId: contract.externalId,
    });
    expect(stored.contacts.getItems().map((c) => c.id)).toEqual([app.world.contacts.demir.id]);

    expect((await staff.get(`/verwaltung/vertraege/${contract.id}`)).$('#contract-archive-erp').text()).toContain('ERP');
    await staff.post(`/verwaltung/vertraege/${contract.id}/archivieren`);
    expect((await reload(contract.id)).archivedAt).toBeNull();
  });
});

describe('archive and restore', () => {
  it("ends Kristina Maiblume's portal access to Max-Planck-Straße 12 through her contract, and gives it back", async () => {
    const contract = await kristinasContract();
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const start = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    expect((await kristina.get(start)).status).toBe(200);

    const page = await staff.get(`/verwaltung/vertraege/${contract.id}`);
    expect(page.$(`form[action="/verwaltung/vertraege/${contract.id}/archivieren"]`).text()).toContain('kein Zugang zum Kundenportal mehr');
    const archived = await staff.post(`/verwaltung/vertraege/${contract.id}/archivieren`);
    expect(archived.location).toBe(`/verwaltung/vertraege/${contract.id}?erledigt=archiviert`);
    expect((await reload(contract.id)).archivedAt).not.toBeNull();
    // As for a resident without access: the property is not found.
    expect((await kristina.get(start)).status).toBe(404);
    expect((await kristina.get(`${start}/dokumente`)).status).toBe(404);
    // Marked in the contact page and only under "archiviert" in the list.
    const contactPage = await staff.get(`/verwaltung/kontakte/${app.world.contacts.kristina.id}`);
    expect(contactPage.$('section[aria-labelledby=contact-contracts] .badge.ended').text()).toBe('archiviert');
    expect(rows(await staff.get('/verwaltung/vertraege?q=Maiblume&status=archiviert')).some((r) => r.includes('Wohnung 002'))).toBe(true);
    expect(rows(await staff.get('/verwaltung/vertraege?q=Maiblume')).some((r) => r.includes(contract.contractNumber!))).toBe(false);

    const restored = await staff.post(`/verwaltung/vertraege/${contract.id}/wiederherstellen`);
    expect(restored.location).toBe(`/verwaltung/vertraege/${contract.id}?erledigt=wiederhergestellt`);
    expect((await reload(contract.id)).archivedAt).toBeNull();
    expect((await kristina.get(start)).status).toBe(200);
  });
});

describe('another Verwaltung', () => {
  it('gets 404 on every contract route with a Sonnenschein id and cannot use its units or contacts', async () => {
    const contract = await kristinasContract();
    for (const path of ['', '/bearbeiten']) expect((await nordhaus.get(`/verwaltung/vertraege/${contract.id}${path}`)).status, path).toBe(404);
    for (const path of ['', '/archivieren', '/wiederherstellen'])
      expect((await nordhaus.post(`/verwaltung/vertraege/${contract.id}${path}`, contractForm())).status, path).toBe(404);
    expect((await reload(contract.id)).archivedAt).toBeNull();

    const list = await nordhaus.get('/verwaltung/vertraege?q=Maiblume');
    expect(list.$('tbody tr')).toHaveLength(0);
    const created = await nordhaus.post('/verwaltung/vertraege', contractForm({ contractNumber: 'MV-FREMD' }));
    expect(created.status).toBe(422);
    expect(fieldError(created, 'einheit')).not.toBe('');
    expect(fieldError(created, 'kontakte')).not.toBe('');
    const prefilled = await nordhaus.get(`/verwaltung/vertraege/neu?einheit=${app.world.units.wohnung002.id}&kontakt=${app.world.contacts.kristina.id}`);
    expect(prefilled.text).not.toContain('Maiblume');
    expect(prefilled.text).not.toContain('Max-Planck');
  });
});
