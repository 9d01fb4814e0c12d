import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import type { Em } from '../../src/db/orm.ts';
import { BoardPost, BookingResource, Contact, Property, ServiceOrder, ServiceProvider, Ticket, Unit } from '../../src/entities/index.ts';
import { PROPERTY_TABS } from '../../src/features/properties/routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

const common = JSON.parse(readFileSync(new URL('../../locales/de/common.json', import.meta.url), 'utf8'));

const SONNENSCHEIN_ADMIN = 'verwalter@sonnenschein-hv.de';
const NORDHAUS_ADMIN = 'verwalter@nordhaus-verwaltung.de';
const FRIEDA = 'frieda.friesen@example.de';
const KRISTINA = 'kristina.maiblume@example.de';

const MALFORMED_IDS = ['not-a-uuid', '123', "1' or '1'='1", 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', `${randomUUID()}x`, '%00'];

let app: TestApp;
let sonnenscheinProperties: Property[];
beforeAll(async () => {
  app = await startTestApp();
  sonnenscheinProperties = await app.em().find(Property, { organization: app.world.organizations.sonnenschein }, { filters: { tenant: false } });
});
afterAll(() => app?.close());

/** Every tab URL of a property in the console, from the list the router itself uses. */
function consoleUrls(propertyId: string): string[] {
  return PROPERTY_TABS.map((tab) => `/verwaltung/liegenschaften/${encodeURIComponent(propertyId)}${tab === 'uebersicht' ? '' : `/${tab}`}`);
}

async function staff(email: string): Promise<Client> {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

async function resident(email: string): Promise<Client> {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

/** The German 404 page, which names nothing of what was asked for. */
function expectNotFound(page: Page, url: string, secretNames: string[] = []) {
  expect(page.status, url).toBe(404);
  expect(page.$('[role=alert]').text(), url).toBe(common.errors.notFound);
  for (const name of secretNames) expect(page.text, url).not.toContain(name);
}

function propertyLinks(page: Page): string[] {
  return page
    .$('#property-results a[href^="/verwaltung/liegenschaften/"]')
    .map((_, a) => page.$(a).text())
    .get();
}

function contactNames(page: Page): string[] {
  return page
    .$('#contact-results tbody th')
    .map((_, th) => page.$(th).text())
    .get();
}

describe('console staff of Nordhaus', () => {
  it('gets 404 for every tab of every Sonnenschein property', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    expect(sonnenscheinProperties.map((p) => p.name)).toContain('Rosenweg 24');
    for (const property of sonnenscheinProperties) {
      for (const url of consoleUrls(property.id)) expectNotFound(await nordhaus.get(url), url, [property.name, 'Sonnenschein']);
    }
  });

  it('gets 404 for Ressourcen & Räume of a Sonnenschein property and for its resources (issue 22)', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    const mp = app.world.properties.maxPlanck;
    const resources = await app.em().find(BookingResource, { property: mp.id }, { filters: { tenant: false } });
    expect(resources.map((r) => r.name).sort()).toEqual(['Gästewohnung', 'Waschküche']);
    const base = `/verwaltung/liegenschaften/${mp.id}/ressourcen`;
    for (const url of [base, `${base}/neu`, ...resources.map((r) => `${base}/${r.id}`)]) expectNotFound(await nordhaus.get(url), url, [mp.name, 'Waschküche']);
    for (const id of MALFORMED_IDS) expect((await nordhaus.get(`${base}/${encodeURIComponent(id)}`)).status).toBe(404);
    const frieda = await resident(FRIEDA);
    for (const url of [`/portal/liegenschaften/${mp.id}/buchungen`, ...resources.map((r) => `/portal/liegenschaften/${mp.id}/buchungen/${r.id}`)])
      expectNotFound(await frieda.get(url), url, ['Waschküche']);
  });

  it('gets 404 from htmx requests for those tabs as well', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    for (const url of consoleUrls(app.world.properties.rosenweg.id)) {
      const page = await nordhaus.get(url, { 'HX-Request': 'true' });
      expect(page.status, url).toBe(404);
      expect(page.text, url).not.toContain('Rosenweg 24');
    }
  });

  it('sees only its own property in the list', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    const page = await nordhaus.get('/verwaltung/liegenschaften');
    expect(page.status).toBe(200);
    expect(propertyLinks(page)).toEqual(['Hafenstraße 9']);
    for (const property of sonnenscheinProperties) expect(page.text).not.toContain(property.name);
  });

  it('finds nothing of Sonnenschein when searching, on the page or in the htmx live search', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    for (const q of ['Rosenweg', 'Max-Planck', 'TESTLIEGENSCHAFT', 'München', '81675', 'Lindenallee']) {
      const url = `/verwaltung/liegenschaften?q=${encodeURIComponent(q)}`;
      const full = await nordhaus.get(url);
      const live = await nordhaus.get(url, { 'HX-Request': 'true', 'HX-Target': 'property-results' });
      for (const page of [full, live]) {
        expect(page.status, q).toBe(200);
        expect(propertyLinks(page), q).toEqual([]);
        expect(page.$('#property-results tbody tr').length, q).toBe(0);
        // The search term itself is echoed in the form; any other name would be a leak.
        for (const property of sonnenscheinProperties.filter((p) => !p.name.includes(q))) expect(page.text, q).not.toContain(property.name);
      }
    }
    // A term both Verwaltungen match ("Hafen") shows only Nordhaus' own property.
    expect(propertyLinks(await nordhaus.get('/verwaltung/liegenschaften?q=Hafen'))).toEqual(['Hafenstraße 9']);
  });

  it('finds no Sonnenschein contacts', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    expect(contactNames(await nordhaus.get('/verwaltung/kontakte'))).toEqual(['Frieda Friesen']);
    const search = await nordhaus.get('/verwaltung/kontakte?q=Maiblume');
    expect(contactNames(search)).toEqual([]);
    expect(search.text).not.toContain('kristina.maiblume@example.de');
  });

  it('gets 404, not 500, for malformed and unknown property ids', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    for (const id of [...MALFORMED_IDS, randomUUID()]) {
      for (const url of consoleUrls(id)) expectNotFound(await nordhaus.get(url), url);
    }
  });
});

describe('console staff of Sonnenschein', () => {
  it('gets 404 for every tab of Hafenstraße 9 and never sees it listed', async () => {
    const sonnenschein = await staff(SONNENSCHEIN_ADMIN);
    for (const url of consoleUrls(app.world.properties.hafenstrasse.id)) expectNotFound(await sonnenschein.get(url), url, ['Hafenstraße 9', 'Nordhaus']);

    const list = await sonnenschein.get('/verwaltung/liegenschaften');
    expect(propertyLinks(list)).toContain('Rosenweg 24');
    expect(propertyLinks(list)).not.toContain('Hafenstraße 9');
    for (const q of ['Hafenstraße', 'Hamburg', '20359']) {
      const page = await sonnenschein.get(`/verwaltung/liegenschaften?q=${encodeURIComponent(q)}`);
      expect(propertyLinks(page), q).toEqual([]);
      expect(page.text, q).not.toContain('Hafenstraße 9');
    }
    expect(contactNames(await sonnenschein.get('/verwaltung/kontakte?q=Friesen'))).toEqual([]);
  });

  it('gets 404 for the Abwesenheit of a Sonnenschein staff member, and sees only its own Erscheinungsbild', async () => {
    const nordhaus = await staff(NORDHAUS_ADMIN);
    const url = `/verwaltung/administration/mitarbeiter/${app.world.staff.clerk.id}/abwesenheit`;
    expectNotFound(await nordhaus.get(url), url, ['Sabine']);
    const appearance = await nordhaus.get('/verwaltung/administration/kundenportal/erscheinungsbild');
    expect(appearance.status).toBe(200);
    expect(appearance.text).not.toContain('Sonnenschein');
  });

  it('still opens its own property (the 404s above are not a broken page)', async () => {
    const sonnenschein = await staff(SONNENSCHEIN_ADMIN);
    for (const url of consoleUrls(app.world.properties.rosenweg.id)) {
      const page = await sonnenschein.get(url);
      expect(page.status, url).toBe(200);
      expect(page.$('main h1').text(), url).toBe('Rosenweg 24');
    }
  });
});

describe('portal', () => {
  const portalUrl = (propertyId: string) => `/portal/liegenschaften/${encodeURIComponent(propertyId)}`;

  it('gives Frieda Friesen (Nordhaus) 404 for every Sonnenschein property but opens her own', async () => {
    const frieda = await resident(FRIEDA);
    for (const property of sonnenscheinProperties) expectNotFound(await frieda.get(portalUrl(property.id)), property.name, [property.name]);

    const own = await frieda.get(portalUrl(app.world.properties.hafenstrasse.id));
    expect(own.status).toBe(200);
    expect(own.$('main h1').text()).toContain('Hafenstraße 9');
  });

  it('gives Kristina Maiblume 404 for Rosenweg 24 of her own Verwaltung and for Hafenstraße 9', async () => {
    const kristina = await resident(KRISTINA);
    expectNotFound(await kristina.get(portalUrl(app.world.properties.rosenweg.id)), 'Rosenweg 24', ['Rosenweg 24']);
    expectNotFound(await kristina.get(portalUrl(app.world.properties.hafenstrasse.id)), 'Hafenstraße 9', ['Hafenstraße 9']);

    const start = await kristina.get('/portal');
    expect(start.status).toBe(303);
    expect(start.location).toBe(portalUrl(app.world.properties.maxPlanck.id));
    const own = await kristina.get(start.location!);
    expect(own.status).toBe(200);
    expect(own.$('main h1').text()).toContain('Max-Planck-Straße 12');
  });

  it('gives Frieda Friesen (Nordhaus) 404 for a Sonnenschein resident post on the Schwarzes Brett, by any property', async () => {
    const em = app.em();
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const post = em.create(BoardPost, {
      organization: app.world.organizations.sonnenschein.id,
      property: app.world.properties.maxPlanck.id,
      author: app.world.portalUsers.kristina.id,
      title: 'Geheimer Nachbarschaftsbeitrag',
      body: 'Nur für Max-Planck-Straße 12.',
    });
    await em.flush();
    const frieda = await resident(FRIEDA);
    for (const property of [app.world.properties.maxPlanck, app.world.properties.hafenstrasse]) {
      const url = `${portalUrl(property.id)}/schwarzes-brett/beitraege/${post.id}`;
      expectNotFound(await frieda.get(url), url, ['Geheimer Nachbarschaftsbeitrag']);
      expect((await frieda.post(`${url}/kommentare`, { body: 'Hallo' })).status, url).toBe(404);
    }
    const nordStaff = await staff(NORDHAUS_ADMIN);
    expect((await nordStaff.get('/verwaltung/meldungen')).text).not.toContain('Geheimer Nachbarschaftsbeitrag');
  });

  it('gives 404, not 500, for malformed property ids', async () => {
    const kristina = await resident(KRISTINA);
    for (const id of MALFORMED_IDS) expectNotFound(await kristina.get(portalUrl(id)), id);
  });

  it('gives 404 for the neighbours and Direktnachrichten of another Verwaltung, and for malformed conversation ids', async () => {
    const frieda = await resident(FRIEDA);
    const maxPlanck = portalUrl(app.world.properties.maxPlanck.id);
    for (const path of ['/nachbarn', '/nachbarn/meine-angaben', '/nachrichten', `/nachrichten/${randomUUID()}`])
      expectNotFound(await frieda.get(`${maxPlanck}${path}`), path);
    const kristina = await resident(KRISTINA);
    for (const id of MALFORMED_IDS) expectNotFound(await kristina.get(`${maxPlanck}/nachrichten/${encodeURIComponent(id)}`), id);
    const nordhaus = await staff(NORDHAUS_ADMIN);
    expectNotFound(await nordhaus.get(`/verwaltung/meldungen/nachrichten/${randomUUID()}`), 'report');
  });
});

describe('Dienstleister (issue 23)', () => {
  it("a provider login of Sonnenschein sees nothing of Nordhaus, nothing of a property its Dienstleister does not serve, and no Auftrag of another's", async () => {
    const em = app.em();
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const ticket = await em.findOneOrFail(Ticket, { title: 'Kellertür schließt nicht mehr' });
    const keller = await em.findOneOrFail(ServiceProvider, { name: 'Heizung & Sanitär Keller' });
    const huber = await em.findOneOrFail(ServiceProvider, { name: 'Hausmeisterservice Huber' });
    const sonnenschein = await staff(SONNENSCHEIN_ADMIN);
    expect((await sonnenschein.post(`/verwaltung/vorgaenge/${ticket.id}/weiterleiten`, { provider: keller.id })).status).toBe(303);
    const order = await app.em().findOneOrFail(ServiceOrder, { ticket: ticket.id, provider: keller.id }, { filters: { tenant: false } });

    const provider = await resident('huber@hausmeister-huber.de');
    expect((await provider.get('/portal/auftraege')).status).toBe(200);
    const hafen = app.world.properties.hafenstrasse.id;
    for (const path of [
      `/portal/liegenschaften/${hafen}`,
      `/portal/auftraege/liegenschaften/${hafen}`,
      `/portal/auftraege/liegenschaften/${app.world.properties.rosenweg.id}`,
      `/portal/auftraege/${order.id}`,
      ...MALFORMED_IDS.map((id) => `/portal/auftraege/${encodeURIComponent(id)}`),
    ])
      expectNotFound(await provider.get(path), path, ['Kellertür', 'Hafenstraße']);

    const nordhaus = await staff(NORDHAUS_ADMIN);
    for (const path of [`/verwaltung/dienstleister/${huber.id}`, `/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/dateien/${randomUUID()}`])
      expectNotFound(await nordhaus.get(path), path, ['Hausmeisterservice Huber']);
    for (const path of [`/verwaltung/dienstleister/${huber.id}/liegenschaften`, `/verwaltung/vorgaenge/${ticket.id}/auftraege/${order.id}/kommentare`]) {
      const page = await nordhaus.post(path, { property: hafen, body: 'x' });
      expect(page.status, path).toBe(404);
    }
    const frieda = await resident(FRIEDA);
    expectNotFound(await frieda.get('/portal/auftraege'), 'frieda');
  });
});

describe('profile photos', () => {
  it('are a 404 to the other Verwaltung, staff and residents, and for malformed ids, while Sonnenschein staff see them', async () => {
    const kristina = await resident(KRISTINA);
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#36c' } })
      .png()
      .toBuffer();
    expect((await kristina.postMultipart('/portal/profil/foto', {}, [{ name: 'ich.png', type: 'image/png', content: png }], 'photo')).status).toBe(303);
    const id = app.world.portalUsers.kristina.id;
    expect((await (await staff(SONNENSCHEIN_ADMIN)).get(`/verwaltung/fotos/bewohner/${id}`)).status).toBe(200);
    expectNotFound(await (await staff(NORDHAUS_ADMIN)).get(`/verwaltung/fotos/bewohner/${id}`), 'Nordhaus staff');
    expectNotFound(await (await resident(FRIEDA)).get(`/portal/fotos/bewohner/${id}`), 'Frieda');
    for (const bad of MALFORMED_IDS) expectNotFound(await kristina.get(`/portal/fotos/bewohner/${encodeURIComponent(bad)}`), bad);
  });
});

describe('the tenant filter itself', () => {
  it('fails closed: an EntityManager without a Verwaltung cannot query Verwaltung data', async () => {
    const em = app.orm.em.fork() as Em;
    await expect(em.find(Property, {})).rejects.toThrow(/tenant/);
    await expect(em.findOne(Property, { id: app.world.properties.rosenweg.id })).rejects.toThrow(/tenant/);
    await expect(em.count(Unit, {})).rejects.toThrow(/tenant/);
    await expect(em.find(Contact, { lastName: 'Maiblume' })).rejects.toThrow(/tenant/);
  });

  it('scopes every query to one Verwaltung once scopeToOrganization is called', async () => {
    const em = app.orm.em.fork() as Em;
    scopeToOrganization(em, app.world.organizations.nordhaus.id);
    expect((await em.find(Property, {})).map((p) => p.name)).toEqual(['Hafenstraße 9']);
    expect(await em.findOne(Property, { id: app.world.properties.rosenweg.id })).toBeNull();
    expect(await em.count(Property, { name: 'Rosenweg 24' })).toBe(0);
    expect((await em.find(Contact, {})).map((c) => c.lastName)).toEqual(['Friesen']);
  });
});
