import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactPerson } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureContentDemo } from '../support/content-demo.ts';
import type { Client, Page } from '../support/client.ts';

let app: TestApp;
let manager: Client;
let kristina: Client; // tenant in Max-Planck-Straße 12 only
let eigner: Client; // owner in Max-Planck-Straße 12 and Rosenweg 24
beforeAll(async () => {
  app = await startTestApp();
  await ensureContentDemo(app);
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
});
afterAll(() => app?.close());

const LIST = '/verwaltung/ansprechpartner';
const portalPage = (propertyId: string) => `/portal/liegenschaften/${propertyId}/ansprechpartner`;
const namesIn = (page: Page, selector: string) =>
  page
    .$(`${selector} .name`)
    .map((_, el) => page.$(el).text())
    .get();

const find = (name: string) => app.em().findOneOrFail(ContactPerson, { name }, { filters: { tenant: false }, populate: ['property'] });
const count = () => app.em().count(ContactPerson, {}, { filters: { tenant: false } });

async function create(fields: { property: string; name: string; role?: string; phone?: string; email?: string }) {
  const page = await manager.post(LIST, { role: '', phone: '', email: '', ...fields });
  expect(page.status, page.$('.field-error').text()).toBe(303);
  return find(fields.name);
}

describe('Ansprechpartner in the console', () => {
  it('creates Ansprechpartner for one property and for the whole portfolio, grouped in the list', async () => {
    const huber = await create({
      property: app.world.properties.rosenweg.id,
      name: 'Hausmeisterei Berger',
      role: 'Hausmeister',
      phone: '089 555123',
      email: 'Service@Hausmeister-Huber.de',
    });
    expect(huber.property?.id).toBe(app.world.properties.rosenweg.id);
    expect(huber.email).toBe('service@hausmeister-huber.de');
    const sabine = await create({ property: 'alle', name: 'Petra Objektbetreuerin', role: 'Objektbetreuung', email: 'sachbearbeitung@sonnenschein-hv.de' });
    expect(sabine.property).toBeNull();
    expect(sabine.phone).toBeNull();

    const list = await manager.get(LIST);
    expect(list.$('#contact-person-group-all h2').text()).toBe('Alle Liegenschaften');
    expect(namesIn(list, '#contact-person-group-all')).toContain('Petra Objektbetreuerin');
    expect(namesIn(list, `#contact-person-group-${app.world.properties.rosenweg.id}`)).toContain('Hausmeisterei Berger');
    expect(namesIn(list, '#contact-person-group-all')).not.toContain('Hausmeisterei Berger');
  });

  it('edits, reorders and deletes', async () => {
    const property = app.world.properties.test.id;
    const a = await create({ property, name: 'Person A' });
    const b = await create({ property, name: 'Person B' });
    const group = `#contact-person-group-${property}`;
    expect(namesIn(await manager.get(LIST), group)).toEqual(['Person A', 'Person B']);
    expect((await manager.post(`${LIST}/${b.id}/position`, { richtung: 'oben' })).status).toBe(303);
    expect(namesIn(await manager.get(LIST), group)).toEqual(['Person B', 'Person A']);

    const form = await manager.get(`${LIST}/${a.id}`);
    expect(form.$('#contact-person-name').val()).toBe('Person A');
    const saved = await manager.post(`${LIST}/${a.id}`, { property, name: 'Person A', role: 'Hausmeister', phone: '+49 89 1234', email: '' });
    expect(saved.status).toBe(303);
    expect((await find('Person A')).role).toBe('Hausmeister');

    expect((await manager.post(`${LIST}/${b.id}/loeschen`)).status).toBe(303);
    expect(namesIn(await manager.get(LIST), group)).toEqual(['Person A']);
  });

  it.each([
    {
      problem: 'an empty name',
      fields: { property: 'alle', name: '', role: 'Hausmeister', phone: '', email: '' },
      field: 'name',
      message: 'Bitte geben Sie einen Namen ein.',
    },
    {
      problem: 'an invalid e-mail',
      fields: { property: 'alle', name: 'Falsche Mail', role: '', phone: '', email: 'kein-at-zeichen' },
      field: 'email',
      message: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
    },
    {
      problem: 'an invalid phone',
      fields: { property: 'alle', name: 'Falsches Telefon', role: '', phone: 'ruf mich an', email: '' },
      field: 'phone',
      message: 'Bitte geben Sie eine gültige Telefonnummer ein (Ziffern, Leerzeichen, + / - ( )).',
    },
  ])('answers $problem with 422 and the form kept, saving nothing', async ({ fields, field, message }) => {
    const before = await count();
    const page = await manager.post(LIST, fields);
    expect(page.status).toBe(422);
    expect(page.$(`#${field}-error`).text()).toBe(message);
    expect(page.$(`#contact-person-${field}`).attr('aria-invalid')).toBe('true');
    expect(page.$('#contact-person-role').val()).toBe(fields.role);
    expect(page.$('#contact-person-email').val()).toBe(fields.email);
    expect(await count()).toBe(before);
  });

  it('keeps Ansprechpartner of one Verwaltung away from the other (404)', async () => {
    const person = await create({ property: 'alle', name: 'Nur Sonnenschein' });
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect(namesIn(await nord.get(LIST), 'main')).toEqual([]);
    expect((await nord.get(`${LIST}/${person.id}`)).status).toBe(404);
    expect((await nord.post(`${LIST}/${person.id}/loeschen`)).status).toBe(404);
    expect((await nord.post(`${LIST}/${person.id}/position`, { richtung: 'unten' })).status).toBe(404);
    expect(await find('Nur Sonnenschein')).toBeTruthy();
  });
});

describe('Ansprechpartner in the portal', () => {
  it('shows name, role, phone as tel: link and e-mail as mailto:, property first then portfolio', async () => {
    const page = await eigner.get(portalPage(app.world.properties.rosenweg.id));
    expect(page.status).toBe(200);
    expect(page.$('.portalnav [aria-current=page]').text()).toBe('Ansprechpartner');
    const names = namesIn(page, 'main');
    expect(names.indexOf('Hausmeisterei Berger')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('Petra Objektbetreuerin')).toBeGreaterThan(names.indexOf('Hausmeisterei Berger'));
    const huber = page.$('main .card').filter((_, el) => page.$(el).find('.name').text() === 'Hausmeisterei Berger');
    expect(huber.find('.role').text()).toBe('Hausmeister');
    expect(huber.find('a.phone').attr('href')).toBe('tel:089555123');
    expect(huber.find('a.phone').text()).toBe('089 555123');
    expect(huber.find('a.email').attr('href')).toBe('mailto:service@hausmeister-huber.de');
  });

  it('shows portfolio-wide Ansprechpartner in every property, property ones only there', async () => {
    const page = await kristina.get(portalPage(app.world.properties.maxPlanck.id));
    expect(namesIn(page, 'main')).toContain('Petra Objektbetreuerin');
    expect(namesIn(page, 'main')).not.toContain('Hausmeisterei Berger');
    // The demo: the Objektbetreuerin everywhere, Hausmeisterservice Huber in Rosenweg 24 only.
    expect(namesIn(page, 'main')).toContain('Sabine Sachbearbeiter');
    expect(namesIn(page, 'main')).not.toContain('Hausmeisterservice Huber');
    expect(namesIn(await eigner.get(portalPage(app.world.properties.rosenweg.id)), 'main')).toContain('Hausmeisterservice Huber');
  });

  it('answers 404 to a resident of another property and to another Verwaltung', async () => {
    expect((await kristina.get(portalPage(app.world.properties.rosenweg.id))).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(portalPage(app.world.properties.rosenweg.id))).status).toBe(404);
  });
});
