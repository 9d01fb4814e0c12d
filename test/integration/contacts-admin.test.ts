import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contact, Contract } from '../../src/entities/index.ts';
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
const names = (page: Page) =>
  page
    .$('#contact-results tbody th a')
    .map((_, a) => page.$(a).text().trim())
    .get();
const fieldError = (page: Page, name: string) => page.$(`#${name}-error`).text().trim();
const contact = (id: string) => app.em().findOneOrFail(Contact, { id }, all);

/** A complete, valid Kontakt form; tests override single fields. */
const person = (fields: Record<string, string> = {}) => ({
  type: 'person',
  salutation: 'frau',
  title: '',
  firstName: 'Greta',
  lastName: 'Gartenzwerg',
  companyName: '',
  email: 'greta.gartenzwerg@example.de',
  phone: '089 123456',
  street: 'Blumenweg 3',
  postalCode: '80331',
  city: 'München',
  country: 'DE',
  contactPreference: 'post',
  externalId: '',
  ...fields,
});

describe('Kontakte list', () => {
  it('shows the Stammdaten navigation, "Neuer Kontakt" and sortable columns', async () => {
    const page = await staff.get('/verwaltung/kontakte');
    expect(page.$('nav.subnav a[aria-current=page]').text()).toBe('Kontakte');
    expect(page.$('a[href="/verwaltung/kontakte/neu"]').text()).toBe('Neuer Kontakt');
    expect(page.$('th[aria-sort=ascending]').text()).toContain('Name');
    expect(page.$('th a[href="/verwaltung/kontakte?sortierung=ort"]').text()).toBe('Ort');
  });

  it('sorts by Ort and E-Mail, both ways', async () => {
    const cities = (page: Page) =>
      page
        .$('#contact-results tbody tr')
        .map((_, tr) => page.$(tr).find('td').eq(2).text())
        .get()
        .filter(Boolean);
    const ascending = cities(await staff.get('/verwaltung/kontakte?sortierung=ort'));
    expect(ascending.length).toBeGreaterThan(2);
    expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b, 'de')));
    expect(ascending[0]).toBe('Freising');
    const descending = cities(await staff.get('/verwaltung/kontakte?sortierung=-ort'));
    expect(descending[0]).toBe('München');

    const page = await staff.get('/verwaltung/kontakte?sortierung=email');
    const emails = page
      .$('#contact-results tbody tr')
      .map((_, tr) => page.$(tr).find('td').eq(0).text())
      .get()
      .filter(Boolean);
    expect(emails).toEqual([...emails].sort());
    expect(page.$('th[aria-sort=ascending]').text()).toContain('E-Mail');
  });

  it('keeps search and sort in the pagination and answers htmx with the results only', async () => {
    const page = await staff.get('/verwaltung/kontakte?q=wa&sortierung=-name', { 'HX-Request': 'true', 'HX-Target': 'contact-results' });
    expect(page.text).not.toContain('<html');
    expect(page.$('nav.subnav, form[role=search]')).toHaveLength(0);
    // Starts-with first (Wagner), then the others, here by name descending.
    expect(
      page
        .$('tbody th a')
        .map((_, a) => page.$(a).text())
        .get(),
    ).toEqual(['Elena Wagner', 'Hafenlogistik Süd GmbH', 'Marta Nowak', 'Walter Krause']);
    expect(page.$('th a[data-hx-target="#contact-results"]').first().attr('href')).toBe('/verwaltung/kontakte?q=wa&sortierung=name');
  });
});

describe('Neuer Kontakt', () => {
  it('offers the form with the Kontaktweg of the settings', async () => {
    const page = await staff.get('/verwaltung/kontakte/neu');
    expect(page.status).toBe(200);
    expect(page.$('input[name=contactPreference][value=online]').attr('checked')).toBeDefined();
    for (const name of [
      'type',
      'salutation',
      'title',
      'firstName',
      'lastName',
      'companyName',
      'email',
      'phone',
      'street',
      'postalCode',
      'city',
      'country',
      'externalId',
    ]) {
      const id = page.$(`[name=${name}]`).attr('id');
      expect(page.$(`label[for=${id}]`).text(), name).not.toBe('');
    }
    expect(page.$('input[name=_csrf]').val()).toBeTruthy();
  });

  it('creates a person and shows the contact page', async () => {
    const created = await staff.post('/verwaltung/kontakte', person({ externalId: 'K-NEU-1' }));
    expect(created.status).toBe(303);
    const id = /\/verwaltung\/kontakte\/([0-9a-f-]{36})\?erledigt=angelegt$/.exec(created.location ?? '')![1];
    const stored = await contact(id);
    expect(stored).toMatchObject({
      organization: expect.objectContaining({ id: app.world.organizations.sonnenschein.id }),
      lastName: 'Gartenzwerg',
      contactPreference: 'post',
      externalId: 'K-NEU-1',
      country: 'DE',
      erpSyncedAt: null,
    });
    const page = await staff.get(created.location!);
    expect(page.$('h1').text()).toBe('Greta Gartenzwerg');
    expect(page.$('[role=status]').text()).toBe('Der Kontakt wurde angelegt.');
  });

  it('answers 422 with the form kept and the messages next to the fields', async () => {
    const page = await staff.post(
      '/verwaltung/kontakte',
      person({ lastName: '', email: 'kein-at-zeichen', country: 'Deutschland', externalId: app.world.contacts.kristina.externalId! }),
    );
    expect(page.status).toBe(422);
    expect(fieldError(page, 'lastName')).toBe('Bei einer Person ist der Nachname Pflicht.');
    expect(fieldError(page, 'email')).toBe('Bitte eine gültige E-Mail-Adresse angeben, z. B. name@example.de.');
    expect(fieldError(page, 'externalId')).toBe('Diese Externe ID ist in Ihrer Verwaltung schon vergeben.');
    expect(fieldError(page, 'country')).not.toBe('');
    expect(page.$('#contact-lastName').attr('aria-invalid')).toBe('true');
    expect(page.$('#contact-firstName').val()).toBe('Greta');
    expect(page.$('input[name=contactPreference][value=post]').attr('checked')).toBeDefined();

    const company = await staff.post('/verwaltung/kontakte', person({ type: 'company', lastName: '', companyName: '' }));
    expect(company.status).toBe(422);
    expect(fieldError(company, 'companyName')).toBe('Bei einer Firma ist der Firmenname Pflicht.');
    expect(fieldError(company, 'lastName')).toBe('');
  });

  it('refuses a post without CSRF token', async () => {
    const page = await staff.post('/verwaltung/kontakte', person({ lastName: 'Ohnetoken' }), { csrf: false });
    expect(page.status).toBe(403);
    expect(await app.em().count(Contact, { lastName: 'Ohnetoken' }, all)).toBe(0);
  });
});

describe('Kontakt bearbeiten', () => {
  it('stores the changes', async () => {
    const { id } = app.world.contacts.hoffmann;
    const form = await staff.get(`/verwaltung/kontakte/${id}/bearbeiten`);
    expect(form.$('#contact-lastName').val()).toBe('Hoffmann');
    const saved = await staff.post(
      `/verwaltung/kontakte/${id}`,
      person({ firstName: 'Lukas', lastName: 'Hoffmann', email: 'lukas.hoffmann@example.de', phone: '0171 999', contactPreference: 'online' }),
    );
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/verwaltung/kontakte/${id}?erledigt=gespeichert`);
    expect(await contact(id)).toMatchObject({ phone: '0171 999', street: 'Blumenweg 3' });
  });

  it('keeps the fields the ERP owns read-only and ignores them when posted; the Kontaktweg stays editable', async () => {
    const id = app.world.contacts.schulz.id;
    const em = app.em();
    const record = await em.findOneOrFail(Contact, { id }, all);
    record.erpSyncedAt = new Date();
    await em.flush();

    const form = await staff.get(`/verwaltung/kontakte/${id}/bearbeiten`);
    expect(form.$('#contact-lastName').attr('disabled')).toBeDefined();
    expect(form.$('label[for=contact-lastName] .erp-badge').text()).toBe('ERP');
    expect(form.$('#contact-externalId').attr('disabled')).toBeDefined();
    expect(form.$('input[name=contactPreference]').first().attr('disabled')).toBeUndefined();
    expect(form.$('.erp-note').length).toBe(1);

    const saved = await staff.post(
      `/verwaltung/kontakte/${id}`,
      person({ lastName: 'Umbenannt', email: 'boese@example.de', externalId: 'K-GEKAPERT', contactPreference: 'post' }),
    );
    expect(saved.status).toBe(303);
    const stored = await contact(id);
    expect(stored).toMatchObject({ lastName: 'Schulz', email: 'peter.schulz@example.de', externalId: record.externalId, contactPreference: 'post' });

    // Archiving is the ERP's (its delete): the button is disabled and the server refuses.
    const page = await staff.get(`/verwaltung/kontakte/${id}`);
    expect(page.$('#contact-archive-erp').text()).toContain('ERP');
    expect(page.$(`form[action="/verwaltung/kontakte/${id}/archivieren"]`)).toHaveLength(0);
    await staff.post(`/verwaltung/kontakte/${id}/archivieren`);
    expect((await contact(id)).archivedAt).toBeNull();
  });
});

describe('archive and restore', () => {
  it('archives Kristina Maiblume: her login loses the property, the list hides her unless asked; restoring brings it back', async () => {
    const { id } = app.world.contacts.kristina;
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const portalPage = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    expect((await kristina.get(portalPage)).status).toBe(200);

    const page = await staff.get(`/verwaltung/kontakte/${id}`);
    expect(page.$(`form[action="/verwaltung/kontakte/${id}/archivieren"]`).text()).toContain('Der verknüpfte Portalzugang sieht nichts mehr');

    const archived = await staff.post(`/verwaltung/kontakte/${id}/archivieren`);
    expect(archived.location).toBe(`/verwaltung/kontakte/${id}?erledigt=archiviert`);
    expect((await contact(id)).archivedAt).not.toBeNull();
    expect((await kristina.get(portalPage)).status).toBe(404);
    expect(names(await staff.get('/verwaltung/kontakte?q=Maiblume'))).toEqual([]);
    const withArchived = await staff.get('/verwaltung/kontakte?q=Maiblume&archivierte=1');
    expect(names(withArchived)).toEqual(['Kristina Maiblume']);
    expect(withArchived.$('#contact-results tbody .badge.ended').text()).toBe('archiviert');

    const restored = await staff.post(`/verwaltung/kontakte/${id}/wiederherstellen`);
    expect(restored.location).toBe(`/verwaltung/kontakte/${id}?erledigt=wiederhergestellt`);
    expect((await contact(id)).archivedAt).toBeNull();
    expect((await kristina.get(portalPage)).status).toBe(200);
  });
});

describe('contact page', () => {
  it('links contracts to the unit and the contract, marks archived ones, offers "Neuer Vertrag"', async () => {
    const { id } = app.world.contacts.demir;
    const em = app.em();
    const contract = await em.findOneOrFail(Contract, { contacts: id }, { ...all, populate: ['unit'] });
    contract.archivedAt = new Date();
    await em.flush();
    const page = await staff.get(`/verwaltung/kontakte/${id}`);
    const row = page.$('#contact-contracts').parent().find('tbody tr').first();
    expect(row.find(`a[href="/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${contract.unit.id}"]`).text()).toBe('Wohnung 004');
    expect(row.find(`a[href="/verwaltung/vertraege/${contract.id}"]`)).toHaveLength(1);
    expect(row.find('.badge').first().text()).toBe('archiviert');
    expect(page.$(`a[href="/verwaltung/vertraege/neu?kontakt=${id}"]`).text()).toBe('Neuer Vertrag');
    expect(page.$(`a[href="/verwaltung/kontakte/${id}/bearbeiten"]`).text()).toBe('Bearbeiten');
  });
});

describe('another Verwaltung', () => {
  it('gets 404 on every new contact route with a Sonnenschein id, and changes nothing', async () => {
    const { id } = app.world.contacts.kristina;
    expect((await nordhaus.get(`/verwaltung/kontakte/${id}/bearbeiten`)).status).toBe(404);
    expect((await nordhaus.post(`/verwaltung/kontakte/${id}`, person({ lastName: 'Fremd' }))).status).toBe(404);
    expect((await nordhaus.post(`/verwaltung/kontakte/${id}/archivieren`)).status).toBe(404);
    expect((await nordhaus.post(`/verwaltung/kontakte/${id}/wiederherstellen`)).status).toBe(404);
    expect(await contact(id)).toMatchObject({ lastName: 'Maiblume', archivedAt: null });
  });

  it('may use an external id Sonnenschein uses (unique per Verwaltung)', async () => {
    const created = await nordhaus.post('/verwaltung/kontakte', person({ externalId: app.world.contacts.kristina.externalId! }));
    expect(created.status).toBe(303);
  });
});
