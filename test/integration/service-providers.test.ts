import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { ServiceProvider } from '../../src/entities/index.ts';
import { forwardProviders } from '../../src/features/tickets/handover.ts';
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
    .$('tbody th a')
    .map((_, a) => page.$(a).text())
    .get();
const fieldError = (page: Page, name: string) => page.$(`#${name}-error`).text().trim();
const provider = (name: string) => app.em().findOneOrFail(ServiceProvider, { name }, all);
/** The names the Vorgänge handover offers to Sonnenschein (src/features/tickets/handover.ts). */
const offered = async () => {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return (await forwardProviders(em)).map((p) => p.name);
};

const form = (fields: Record<string, string> = {}) => ({
  name: 'Elektro Blitz GmbH',
  trade: 'Elektro',
  email: 'auftrag@elektro-blitz.example',
  phone: '089 777',
  street: 'Stromweg 1',
  postalCode: '80331',
  city: 'Augsburg',
  externalId: '',
  ...fields,
});

describe('Dienstleister', () => {
  it('lists, searches and sorts the Dienstleister of the Verwaltung', async () => {
    const page = await staff.get('/verwaltung/dienstleister');
    expect(page.$('nav.subnav a[aria-current=page]').text()).toBe('Dienstleister');
    expect(names(page)).toEqual(['Hausmeisterservice Huber', 'Heizung & Sanitär Keller']);
    expect(names(await staff.get('/verwaltung/dienstleister?q=heiz'))).toEqual(['Heizung & Sanitär Keller']);
    expect(names(await staff.get('/verwaltung/dienstleister?sortierung=-gewerk'))).toEqual(['Heizung & Sanitär Keller', 'Hausmeisterservice Huber']);
    const fragment = await staff.get('/verwaltung/dienstleister?q=haus', { 'HX-Request': 'true', 'HX-Target': 'provider-results' });
    expect(fragment.text).not.toContain('<html');
    expect(names(fragment)).toEqual(['Hausmeisterservice Huber']);
    expect(names(await nordhaus.get('/verwaltung/dienstleister'))).toEqual([]);
  });

  it('creates one that the Vorgänge handover then offers', async () => {
    const created = await staff.post('/verwaltung/dienstleister', form());
    expect(created.status).toBe(303);
    const stored = await provider('Elektro Blitz GmbH');
    expect(created.location).toBe(`/verwaltung/dienstleister/${stored.id}?erledigt=angelegt`);
    expect(stored).toMatchObject({
      trade: 'Elektro',
      city: 'Augsburg',
      externalId: null,
      organization: expect.objectContaining({ id: app.world.organizations.sonnenschein.id }),
    });
    expect(await offered()).toContain('Elektro Blitz GmbH');
    const page = await staff.get(created.location!);
    expect(page.$('h1').text()).toBe('Elektro Blitz GmbH');
    expect(page.$('[role=status]').text()).toBe('Der Dienstleister wurde angelegt.');
  });

  it('answers 422 with the messages next to the fields and the form kept', async () => {
    const page = await staff.post('/verwaltung/dienstleister', form({ name: '  ', email: 'kaputt@', trade: 'Dach' }));
    expect(page.status).toBe(422);
    expect(fieldError(page, 'name')).toBe('Bitte ausfüllen.');
    expect(fieldError(page, 'email')).toBe('Bitte eine gültige E-Mail-Adresse angeben, z. B. name@example.de.');
    expect(page.$('#provider-trade').val()).toBe('Dach');
    expect(await app.em().count(ServiceProvider, { trade: 'Dach' }, all)).toBe(0);
  });

  it('edits, archives (no longer offered for Vorgänge) and restores', async () => {
    const { id } = await provider('Heizung & Sanitär Keller');
    const saved = await staff.post(
      `/verwaltung/dienstleister/${id}`,
      form({ name: 'Heizung & Sanitär Keller', trade: 'Heizung und Sanitär', email: 'notdienst@keller-hs.de' }),
    );
    expect(saved.location).toBe(`/verwaltung/dienstleister/${id}?erledigt=gespeichert`);
    expect(await provider('Heizung & Sanitär Keller')).toMatchObject({ trade: 'Heizung und Sanitär', phone: '089 777' });

    expect((await staff.post(`/verwaltung/dienstleister/${id}/archivieren`)).location).toBe(`/verwaltung/dienstleister/${id}?erledigt=archiviert`);
    expect((await provider('Heizung & Sanitär Keller')).archivedAt).not.toBeNull();
    expect(await offered()).not.toContain('Heizung & Sanitär Keller');
    expect(names(await staff.get('/verwaltung/dienstleister'))).not.toContain('Heizung & Sanitär Keller');
    expect(names(await staff.get('/verwaltung/dienstleister?archivierte=1'))).toContain('Heizung & Sanitär Keller');

    expect((await staff.post(`/verwaltung/dienstleister/${id}/wiederherstellen`)).location).toBe(`/verwaltung/dienstleister/${id}?erledigt=wiederhergestellt`);
    expect((await provider('Heizung & Sanitär Keller')).archivedAt).toBeNull();
    expect(await offered()).toContain('Heizung & Sanitär Keller');
  });

  it('ignores the fields the ERP owns even when posted, and leaves archiving to the ERP', async () => {
    const em = app.em();
    const record = await em.findOneOrFail(ServiceProvider, { name: 'Hausmeisterservice Huber' }, all);
    record.erpSyncedAt = new Date();
    await em.flush();

    const page = await staff.get(`/verwaltung/dienstleister/${record.id}/bearbeiten`);
    expect(page.$('#provider-email').attr('disabled')).toBeDefined();
    expect(page.$('label[for=provider-name] .erp-badge').text()).toBe('ERP');
    const saved = await staff.post(`/verwaltung/dienstleister/${record.id}`, form({ name: 'Gekapert', email: 'boese@example.de', externalId: 'DL-X' }));
    expect(saved.status).toBe(303);
    expect(await provider('Hausmeisterservice Huber')).toMatchObject({
      email: 'service@hausmeister-huber.de',
      trade: 'Hausmeister',
      externalId: record.externalId,
    });

    await staff.post(`/verwaltung/dienstleister/${record.id}/archivieren`);
    expect((await provider('Hausmeisterservice Huber')).archivedAt).toBeNull();
  });

  it('gives the other Verwaltung 404 for a Sonnenschein Dienstleister and refuses a post without CSRF token', async () => {
    const { id } = await provider('Hausmeisterservice Huber');
    for (const path of ['', '/bearbeiten']) expect((await nordhaus.get(`/verwaltung/dienstleister/${id}${path}`)).status, path).toBe(404);
    for (const path of ['', '/archivieren', '/wiederherstellen'])
      expect((await nordhaus.post(`/verwaltung/dienstleister/${id}${path}`, form())).status, path).toBe(404);
    expect(await provider('Hausmeisterservice Huber')).toMatchObject({ archivedAt: null, phone: '089 555123' });

    const refused = await staff.post('/verwaltung/dienstleister', form({ name: 'Ohne Token' }), { csrf: false });
    expect(refused.status).toBe(403);
    expect(await app.em().count(ServiceProvider, { name: 'Ohne Token' }, all)).toBe(0);
  });
});
