import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Address, AuditLog, Property, Unit } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

// Stammdaten in the console: Liegenschaften, Adressen and Einheiten created, edited,
// archived and restored by staff (src/features/properties/edit-routes.ts), the lists of
// Adressen and Einheiten, and the ERP's fields read-only (Rosenweg 24 is ERP-owned in the demo).

let app: TestApp;
let manager: Client;
let clerk: Client;
let nord: Client;
const all = { filters: { tenant: false } } as const;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
});
afterAll(() => app?.close());

const BASE = '/verwaltung/liegenschaften';
const texts = (page: Page, selector: string) =>
  page
    .$(selector)
    .map((_, el) => page.$(el).text().replace(/\s+/g, ' ').trim())
    .get();
const newProperty = { name: 'Ulmenweg 3', kind: 'rental', externalId: '', street: 'Ulmenweg', houseNumber: '3', postalCode: '80331', city: 'München' };
const rosenwegUnit = () => app.em().findOneOrFail(Unit, { property: app.world.properties.rosenweg.id, number: 'Wohnung 001' }, all);
const rosenwegAddress = () => app.em().findOneOrFail(Address, { property: app.world.properties.rosenweg.id }, all);
const mpUnit = (number: string) => app.em().findOneOrFail(Unit, { property: app.world.properties.maxPlanck.id, number }, { ...all, populate: ['address'] });

/** Creates a property through the form and returns its id. */
async function createProperty(fields: Partial<typeof newProperty> = {}): Promise<string> {
  const answer = await clerk.post(BASE, { ...newProperty, ...fields });
  expect(answer.status, answer.$('.field-error').text()).toBe(303);
  return answer.location!.split('/').pop()!;
}

describe('Neue Liegenschaft', () => {
  it('is offered on the list under the Stammdaten navigation, and creates the property with its first address', async () => {
    const list = await clerk.get(BASE);
    expect(list.$('nav.subnav a[aria-current]').text()).toBe('Liegenschaften');
    expect(list.$(`a[href="${BASE}/neu"]`).text()).toBe('Neue Liegenschaft');
    const form = await clerk.get(`${BASE}/neu`);
    expect(form.status).toBe(200);
    expect(texts(form, 'form label')).toEqual(['Name', 'Art', 'Externe ID (optional)', 'Straße', 'Hausnummer', 'PLZ', 'Ort']);

    const id = await createProperty({ externalId: 'L-9001' });
    const property = await app.em().findOneOrFail(Property, { id }, { ...all, populate: ['addresses'] });
    expect([property.name, property.kind, property.externalId, property.erpSyncedAt, property.organization.id]).toEqual([
      'Ulmenweg 3',
      'rental',
      'L-9001',
      null,
      app.world.organizations.sonnenschein.id,
    ]);
    expect(property.addresses.getItems().map((a) => `${a.street} ${a.houseNumber}, ${a.postalCode} ${a.city}`)).toEqual(['Ulmenweg 3, 80331 München']);
    expect(await app.em().count(AuditLog, { action: 'property.created', subjectId: id } as never, all)).toBe(1);

    const page = await clerk.get(`${BASE}/${id}`);
    expect(page.$('h1').text()).toBe('Ulmenweg 3');
    expect(texts(page, 'table.addresses th')).toEqual(['Ulmenweg 3, 80331 München']);
    expect(page.$('.erp-note')).toHaveLength(0);
  });

  it('answers bad input with 422, the German message next to each field and the form kept', async () => {
    const answer = await clerk.post(BASE, {
      name: '',
      kind: 'villa',
      externalId: 'x'.repeat(101),
      street: 'Eichenweg',
      houseNumber: '',
      postalCode: '12345678901',
      city: 'Berlin',
    });
    expect(answer.status).toBe(422);
    expect(answer.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Angaben.');
    expect(answer.$('#name-error').text()).toBe('Bitte ausfüllen.');
    expect(answer.$('#kind-error').text()).toBe('Bitte einen der angebotenen Werte wählen.');
    expect(answer.$('#externalId-error').text()).toBe('Höchstens 100 Zeichen.');
    expect(answer.$('#houseNumber-error').text()).toBe('Bitte ausfüllen.');
    expect(answer.$('#postalCode-error').text()).toBe('Höchstens 10 Zeichen.');
    expect(answer.$('#street-error')).toHaveLength(0);
    expect(answer.$('#properties-street').val()).toBe('Eichenweg');
    expect(answer.$('#properties-name').attr('aria-describedby')).toBe('name-error');
    expect(await app.em().count(Address, { street: 'Eichenweg' }, all)).toBe(0);
  });

  it('refuses an external id another property of the Verwaltung has, but not one of another Verwaltung', async () => {
    const taken = await clerk.post(BASE, { ...newProperty, name: 'Doppelt', externalId: app.world.properties.rosenweg.externalId! });
    expect(taken.status).toBe(422);
    expect(taken.$('#externalId-error').text()).toBe('Diese Externe ID ist in Ihrer Verwaltung schon vergeben.');
    expect(await app.em().count(Property, { name: 'Doppelt' }, all)).toBe(0);
    // Hafenstraße 9 belongs to Nordhaus: its external id is free in Sonnenschein.
    await createProperty({ name: 'Fremde Nummer', externalId: app.world.properties.hafenstrasse.externalId! });
  });
});

describe('editing a Liegenschaft', () => {
  it('changes name, kind and external id; refuses a taken external id with 422', async () => {
    const id = await createProperty({ name: 'Birkenhof' });
    const form = await clerk.get(`${BASE}/${id}`);
    expect(form.$(`a[href="${BASE}/${id}/bearbeiten"]`).text()).toBe('Bearbeiten');
    const edit = await clerk.get(`${BASE}/${id}/bearbeiten`);
    expect(edit.$('#properties-name').val()).toBe('Birkenhof');
    expect(edit.$('#properties-name').attr('disabled')).toBeUndefined();
    expect(edit.$('.erp-badge')).toHaveLength(0);

    const taken = await clerk.post(`${BASE}/${id}/bearbeiten`, { name: 'Birkenhof Nord', kind: 'weg', externalId: 'L-9001' });
    expect(taken.status).toBe(422);
    expect(taken.$('#externalId-error').text()).toBe('Diese Externe ID ist in Ihrer Verwaltung schon vergeben.');
    expect(taken.$('#properties-name').val()).toBe('Birkenhof Nord');

    const saved = await clerk.post(`${BASE}/${id}/bearbeiten`, { name: 'Birkenhof Nord', kind: 'weg', externalId: 'L-9002' });
    expect([saved.status, saved.location]).toEqual([303, `${BASE}/${id}`]);
    const property = await app.em().findOneOrFail(Property, { id }, all);
    expect([property.name, property.kind, property.externalId]).toEqual(['Birkenhof Nord', 'weg', 'L-9002']);
    // Saving its own external id again is no conflict.
    expect((await clerk.post(`${BASE}/${id}/bearbeiten`, { name: 'Birkenhof Nord', kind: 'weg', externalId: 'L-9002' })).status).toBe(303);
  });
});

describe('the ERP owns Rosenweg 24', () => {
  it('shows its fields read-only and marked, with the note, on the property, address and unit forms', async () => {
    const rosenweg = app.world.properties.rosenweg;
    const [address, unit] = [await rosenwegAddress(), await rosenwegUnit()];
    const forms = {
      [`${BASE}/${rosenweg.id}/bearbeiten`]: ['properties-name', 'properties-kind', 'properties-externalId'],
      [`${BASE}/${rosenweg.id}/adressen/${address.id}/bearbeiten`]: [
        'addresses-street',
        'addresses-houseNumber',
        'addresses-postalCode',
        'addresses-city',
        'addresses-externalId',
      ],
      [`${BASE}/${rosenweg.id}/einheiten/${unit.id}/bearbeiten`]: [
        'units-number',
        'units-kind',
        'units-areaSqm',
        'units-floor',
        'units-address',
        'units-externalId',
      ],
    };
    for (const [path, ids] of Object.entries(forms)) {
      const page = await clerk.get(path);
      expect(page.status, path).toBe(200);
      expect(page.$('.erp-note').text(), path).toContain('Vom ERP gepflegt.');
      for (const id of ids) {
        expect(page.$(`#${id}`).attr('disabled'), `${path} #${id}`).toBeDefined();
        expect(page.$(`label[for=${id}] .erp-badge`).text(), `${path} #${id}`).toBe('ERP');
      }
    }
    expect((await clerk.get(`${BASE}/${rosenweg.id}/bearbeiten`)).$('#properties-name').val()).toBe('Rosenweg 24');
    // The property page carries the note, and "Archivieren" is disabled with the reason.
    const page = await clerk.get(`${BASE}/${rosenweg.id}`);
    expect(page.$('.erp-note')).toHaveLength(1);
    expect(page.$('.record-actions button[disabled]').text()).toBe('Archivieren');
    expect(page.$('.record-actions .hint').text()).toBe('Vom ERP gepflegt: archiviert wird durch Löschen im ERP, nicht hier.');
    expect(page.$(`.record-actions a[href$="/archivieren"]`)).toHaveLength(0);
  });

  it('ignores the ERP fields on the server even when they are posted, and refuses to archive', async () => {
    const rosenweg = app.world.properties.rosenweg;
    const [address, unit] = [await rosenwegAddress(), await rosenwegUnit()];
    const posted = [
      await clerk.post(`${BASE}/${rosenweg.id}/bearbeiten`, { name: 'Gekapert', kind: 'rental', externalId: 'X-1' }),
      await clerk.post(`${BASE}/${rosenweg.id}/adressen/${address.id}/bearbeiten`, {
        street: 'Falschweg',
        houseNumber: '1',
        postalCode: '10115',
        city: 'Berlin',
        externalId: 'X-2',
      }),
      await clerk.post(`${BASE}/${rosenweg.id}/einheiten/${unit.id}/bearbeiten`, {
        number: 'Gekapert',
        kind: 'parking',
        areaSqm: '1',
        floor: 'Keller',
        address: '',
        externalId: 'X-3',
      }),
    ];
    expect(posted.map((p) => p.status)).toEqual([303, 303, 303]);
    const em = app.em();
    const [p, a, u] = await Promise.all([
      em.findOneOrFail(Property, { id: rosenweg.id }, all),
      em.findOneOrFail(Address, { id: address.id }, all),
      em.findOneOrFail(Unit, { id: unit.id }, all),
    ]);
    expect([p.name, p.kind, p.externalId]).toEqual(['Rosenweg 24', 'weg', rosenweg.externalId]);
    expect([a.street, a.houseNumber, a.city, a.externalId]).toEqual([address.street, address.houseNumber, address.city, address.externalId]);
    expect([u.number, u.kind, u.areaSqm, u.floor, u.address?.id, u.externalId]).toEqual([
      'Wohnung 001',
      'apartment',
      58.2,
      '0. OG',
      address.id,
      unit.externalId,
    ]);

    for (const path of [
      `${BASE}/${rosenweg.id}/archivieren`,
      `${BASE}/${rosenweg.id}/adressen/${address.id}/archivieren`,
      `${BASE}/${rosenweg.id}/einheiten/${unit.id}/archivieren`,
    ]) {
      const refused = await clerk.post(path);
      expect(refused.status, path).toBe(409);
      expect(refused.$('[role=alert]').text(), path).toContain('durch Löschen im ERP archiviert');
    }
    expect((await em.findOneOrFail(Property, { id: rosenweg.id }, all)).archivedAt).toBeNull();
    expect((await em.findOneOrFail(Unit, { id: unit.id }, all)).archivedAt).toBeNull();
  });

  it('makes the fields editable again once an admin released the record from the ERP', async () => {
    const unit = await rosenwegUnit();
    const path = `${BASE}/${app.world.properties.rosenweg.id}/einheiten/${unit.id}`;
    expect((await manager.post(`/verwaltung/stammdaten/units/${unit.id}/vom-erp-loesen`, { zurueck: `${path}/bearbeiten` })).status).toBe(303);
    const form = await clerk.get(`${path}/bearbeiten`);
    expect(form.$('#units-floor').attr('disabled')).toBeUndefined();
    expect(form.$('.erp-badge')).toHaveLength(0);
    const saved = await clerk.post(`${path}/bearbeiten`, {
      number: 'Wohnung 001',
      kind: 'apartment',
      areaSqm: '58,2',
      floor: 'EG rechts',
      address: unit.address!.id,
      externalId: unit.externalId!,
    });
    expect(saved.status).toBe(303);
    expect((await app.em().findOneOrFail(Unit, { id: unit.id }, all)).floor).toBe('EG rechts');
  });
});

describe('archiving a Liegenschaft', () => {
  it('asks first, hides it from the list, marks it, and restores it', async () => {
    const id = await createProperty({ name: 'Abrisshaus 1' });
    const confirm = await clerk.get(`${BASE}/${id}/archivieren`);
    expect(confirm.$('h1').text()).toBe('Liegenschaft archivieren?');
    expect(confirm.$(`form[action="${BASE}/${id}/archivieren"] button`).text()).toBe('Ja, archivieren');

    const archived = await clerk.post(`${BASE}/${id}/archivieren`);
    expect([archived.status, archived.location]).toEqual([303, `${BASE}/${id}`]);
    expect((await app.em().findOneOrFail(Property, { id }, all)).archivedAt).not.toBeNull();

    const list = await clerk.get(`${BASE}?q=Abriss`);
    expect(list.$('#property-results tbody tr')).toHaveLength(0);
    const withArchived = await clerk.get(`${BASE}?q=Abriss&archivierte=1`);
    expect(texts(withArchived, '#property-results tbody tr td:first-child')).toEqual(['Abrisshaus 1 Archiviert']);
    const page = await clerk.get(`${BASE}/${id}`);
    expect(page.$('h1 .badge').text()).toBe('Archiviert');
    expect(page.$('.record-actions button').text()).toBe('Wiederherstellen');

    expect((await clerk.post(`${BASE}/${id}/wiederherstellen`)).status).toBe(303);
    expect((await app.em().findOneOrFail(Property, { id }, all)).archivedAt).toBeNull();
    expect(texts(await clerk.get(`${BASE}?q=Abriss`), '#property-results tbody tr td:first-child')).toEqual(['Abrisshaus 1']);
  });
});

describe('the Liegenschaften list', () => {
  it('sorts by name, kind and number of units, both ways, with the sort kept by search and paging links', async () => {
    const names = async (query: string) => texts(await clerk.get(`${BASE}${query}`), '#property-results tbody tr td:first-child a');
    const byName = await names('');
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, 'de')));
    expect(await names('?sortierung=-name')).toEqual([...byName].reverse());
    const byUnits = await clerk.get(`${BASE}?sortierung=-einheiten`);
    const counts = texts(byUnits, '#property-results tbody td.num').map(Number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts[0]).toBe(9);
    expect(byUnits.$('th[aria-sort]').text().trim()).toMatch(/^Einheiten/);
    expect(byUnits.$('th[aria-sort]').attr('aria-sort')).toBe('descending');
    expect(byUnits.$('input[name=sortierung]').val()).toBe('-einheiten');
    const byKind = await clerk.get(`${BASE}?sortierung=art`);
    const kinds = texts(byKind, '#property-results tbody tr td:nth-child(3)');
    expect(kinds.indexOf('Gemischt')).toBeLessThan(kinds.indexOf('WEG'));
  });

  it('pages by 50 and answers the htmx request with the results only, sorted', async () => {
    const em = app.em();
    const now = app.clock.now();
    for (let i = 1; i <= 51; i++)
      em.create(Property, {
        organization: app.world.organizations.sonnenschein.id,
        name: `Zeile ${String(i).padStart(2, '0')}`,
        kind: 'rental',
        createdAt: now,
        updatedAt: now,
      });
    await em.flush();
    const first = await clerk.get(`${BASE}?q=Zeile&sortierung=-name`);
    expect(first.$('#property-results tbody tr')).toHaveLength(50);
    expect(first.$('a[rel=next]').attr('href')).toBe(`${BASE}?q=Zeile&sortierung=-name&seite=2`);
    const fragment = await clerk.get(`${BASE}?q=Zeile&sortierung=-name&seite=2`, { 'HX-Request': 'true', 'HX-Target': 'property-results' });
    expect(fragment.text).not.toContain('<html');
    expect(fragment.$('nav.subnav, form')).toHaveLength(0);
    expect(texts(fragment, 'tbody tr td:first-child a')).toEqual(['Zeile 01']);
    expect(fragment.text).toContain('Seite 2 von 2 · 51 Einträge');
  });
});

describe('Adressen', () => {
  it('adds, edits, and archives an address in use: units keep it, marked', async () => {
    const mp = app.world.properties.maxPlanck;
    const overview = await clerk.get(`${BASE}/${mp.id}`);
    expect(overview.$(`a[href="${BASE}/${mp.id}/adressen/neu"]`).text()).toBe('Adresse hinzufügen');

    const bad = await clerk.post(`${BASE}/${mp.id}/adressen`, { street: 'Max-Planck-Straße', houseNumber: '12b', postalCode: '', city: 'München' });
    expect(bad.status).toBe(422);
    expect(bad.$('#postalCode-error').text()).toBe('Bitte ausfüllen.');
    const added = await clerk.post(`${BASE}/${mp.id}/adressen`, {
      street: 'Max-Planck-Straße',
      houseNumber: '12b',
      postalCode: '80638',
      city: 'München',
      externalId: 'A-77',
    });
    expect([added.status, added.location]).toEqual([303, `${BASE}/${mp.id}`]);
    const address = await app.em().findOneOrFail(Address, { externalId: 'A-77' }, all);
    expect(address.property.id).toBe(mp.id);

    expect(
      (
        await clerk.post(`${BASE}/${mp.id}/adressen/${address.id}/bearbeiten`, {
          street: 'Max-Planck-Straße',
          houseNumber: '12c',
          postalCode: '80638',
          city: 'München',
          externalId: 'A-77',
        })
      ).status,
    ).toBe(303);
    expect((await app.em().findOneOrFail(Address, { id: address.id }, all)).houseNumber).toBe('12c');

    // 12a is the entrance of Wohnung 005–008.
    const wohnung005 = await mpUnit('Wohnung 005');
    const entrance = wohnung005.address!;
    expect((await clerk.post(`${BASE}/${mp.id}/adressen/${entrance.id}/archivieren`)).status).toBe(303);
    expect((await mpUnit('Wohnung 005')).address?.id).toBe(entrance.id);
    const unitPage = await clerk.get(`${BASE}/${mp.id}/einheiten/${wohnung005.id}`);
    expect(unitPage.$('.unit-facts').text()).toContain('Max-Planck-Straße 12a, 80638 München Adresse archiviert');
    expect(texts(await clerk.get(`${BASE}/${mp.id}`), 'table.addresses th')).toContain('Max-Planck-Straße 12a, 80638 München Archiviert');
    // The unit form offers it only to the units that already have it.
    expect((await clerk.get(`${BASE}/${mp.id}/einheiten/${wohnung005.id}/bearbeiten`)).$(`#units-address option[value="${entrance.id}"]`)).toHaveLength(1);
    expect((await clerk.get(`${BASE}/${mp.id}/einheiten/neu`)).$(`#units-address option[value="${entrance.id}"]`)).toHaveLength(0);
    const list = await clerk.get('/verwaltung/adressen?q=Max-Planck');
    expect(texts(list, '#address-results tbody th')).toEqual(['Max-Planck-Straße 12', 'Max-Planck-Straße 12c']);

    expect((await clerk.post(`${BASE}/${mp.id}/adressen/${entrance.id}/wiederherstellen`)).status).toBe(303);
    expect((await app.em().findOneOrFail(Address, { id: entrance.id }, all)).archivedAt).toBeNull();
  });

  it('lists the addresses of all properties: search by street, postcode, city and property, sort, htmx fragment', async () => {
    const page = await clerk.get('/verwaltung/adressen');
    expect(page.$('nav.subnav a[aria-current]').text()).toBe('Adressen');
    expect(texts(page, '#address-results tbody th')).not.toContain('Hafenstraße 9');
    for (const [q, expected] of [
      ['82031', ['Lindenallee 5', 'Lindenallee 7']],
      ['grünwald', ['Lindenallee 5', 'Lindenallee 7']],
      ['Gewerbehof', ['Am Hafen 3']],
      ['%', []],
    ] as const) {
      expect(texts(await clerk.get(`/verwaltung/adressen?q=${encodeURIComponent(q)}`), '#address-results tbody th'), q).toEqual(expected);
    }
    const byCity = texts(await clerk.get('/verwaltung/adressen?sortierung=-ort'), '#address-results tbody td:nth-child(2)');
    expect(byCity).toEqual([...byCity].sort((a, b) => b.split(' ')[1].localeCompare(a.split(' ')[1], 'de')));
    const fragment = await clerk.get('/verwaltung/adressen?q=Lindenallee&sortierung=-strasse', { 'HX-Request': 'true', 'HX-Target': 'address-results' });
    expect(fragment.$('form, nav.subnav')).toHaveLength(0);
    expect(texts(fragment, 'tbody th')).toEqual(['Lindenallee 7', 'Lindenallee 5']);
    // The ERP's addresses are marked.
    expect(texts(await clerk.get('/verwaltung/adressen?q=Rosenweg'), '#address-results tbody th')).toEqual(['Rosenweg 24 ERP']);
  });
});

describe('Einheiten', () => {
  it('creates a unit on the property with a German area, and shows it on the Einheiten tab', async () => {
    const mp = app.world.properties.maxPlanck;
    const tab = await clerk.get(`${BASE}/${mp.id}/einheiten`);
    expect(tab.$(`a[href="${BASE}/${mp.id}/einheiten/neu"]`).text()).toBe('Neue Einheit');
    const form = await clerk.get(`${BASE}/${mp.id}/einheiten/neu`);
    expect(texts(form, '#units-address option')).toEqual([
      'Keine Adresse',
      'Max-Planck-Straße 12, 80638 München',
      'Max-Planck-Straße 12a, 80638 München',
      'Max-Planck-Straße 12c, 80638 München',
    ]);
    const entrance = (await mpUnit('Wohnung 001')).address!;

    const created = await clerk.post(`${BASE}/${mp.id}/einheiten`, {
      number: 'Wohnung 009',
      kind: 'apartment',
      areaSqm: '1.065,5',
      floor: '5. OG',
      address: entrance.id,
      externalId: 'E-9',
    });
    expect(created.status, created.$('.field-error').text()).toBe(303);
    const unit = await mpUnit('Wohnung 009');
    expect(created.location).toBe(`${BASE}/${mp.id}/einheiten/${unit.id}`);
    expect([unit.kind, unit.areaSqm, unit.floor, unit.address?.id, unit.externalId]).toEqual(['apartment', 1065.5, '5. OG', entrance.id, 'E-9']);
    const page = await clerk.get(created.location!);
    expect(page.$('h1').text()).toBe('Wohnung 009');
    expect(page.$('.unit-facts').text()).toContain('1.065,5 m²');
    expect(texts(await clerk.get(`${BASE}/${mp.id}/einheiten`), 'tbody th')).toContain('Wohnung 009');
  });

  it("refuses a bad area, another property's address and a missing number with 422 next to the fields", async () => {
    const mp = app.world.properties.maxPlanck;
    const rosenAddress = await rosenwegAddress();
    const answer = await clerk.post(`${BASE}/${mp.id}/einheiten`, {
      number: '',
      kind: 'apartment',
      areaSqm: '65,5 qm',
      floor: '',
      address: rosenAddress.id,
      externalId: '',
    });
    expect(answer.status).toBe(422);
    expect(answer.$('#number-error').text()).toBe('Bitte ausfüllen.');
    expect(answer.$('#areaSqm-error').text()).toBe('Bitte eine Zahl angeben, z. B. 65,5.');
    expect(answer.$('#address-error').text()).toBe('Bitte wählen Sie eine Adresse dieser Liegenschaft.');
    expect(answer.$('#units-areaSqm').val()).toBe('65,5 qm');
    const taken = await clerk.post(`${BASE}/${mp.id}/einheiten`, { number: 'Wohnung 010', kind: 'apartment', areaSqm: '65,5', externalId: 'E-9' });
    expect(taken.$('#externalId-error').text()).toBe('Diese Externe ID ist in Ihrer Verwaltung schon vergeben.');
    expect(await app.em().count(Unit, { number: 'Wohnung 010' }, all)).toBe(0);
  });

  it('edits a unit and archives it: gone from the Einheiten tab and the list, marked on its page, restorable', async () => {
    const mp = app.world.properties.maxPlanck;
    const unit = await mpUnit('Wohnung 009');
    const path = `${BASE}/${mp.id}/einheiten/${unit.id}`;
    const edit = await clerk.get(`${path}/bearbeiten`);
    expect(edit.$('#units-areaSqm').val()).toBe('1065,5');
    expect(
      (await clerk.post(`${path}/bearbeiten`, { number: 'Wohnung 009', kind: 'commercial', areaSqm: '70', floor: '', address: '', externalId: '' })).status,
    ).toBe(303);
    const saved = await mpUnit('Wohnung 009');
    expect([saved.kind, saved.areaSqm, saved.floor, saved.address, saved.externalId]).toEqual(['commercial', 70, null, null, null]);

    expect((await clerk.get(`${path}/archivieren`)).$('h1').text()).toBe('Einheit archivieren?');
    expect((await clerk.post(`${path}/archivieren`)).location).toBe(path);
    expect(texts(await clerk.get(`${BASE}/${mp.id}/einheiten`), 'tbody th')).not.toContain('Wohnung 009');
    expect(texts(await clerk.get('/verwaltung/einheiten?q=009'), '#unit-results tbody th')).toEqual([]);
    expect(texts(await clerk.get('/verwaltung/einheiten?q=009&archivierte=1'), '#unit-results tbody th')).toEqual(['Wohnung 009 Archiviert']);
    const page = await clerk.get(path);
    expect(page.$('h1 .badge').text()).toBe('Archiviert');
    expect(page.$('#upload-contacts')).toHaveLength(0);
    // Documents cannot be uploaded to an archived unit.
    expect((await clerk.postMultipart(`${path}/dokumente`, { title: 'x' }, [], 'files')).status).toBe(404);

    expect((await clerk.post(`${path}/wiederherstellen`)).status).toBe(303);
    expect(texts(await clerk.get(`${BASE}/${mp.id}/einheiten`), 'tbody th')).toContain('Wohnung 009');
  });

  it('lists the units of all properties: search in number and property, filter by property, sort, paging, htmx fragment', async () => {
    const list = await clerk.get('/verwaltung/einheiten');
    expect(list.$('nav.subnav a[aria-current]').text()).toBe('Einheiten');
    const numbers = texts(list, '#unit-results tbody th a');
    expect(numbers).toEqual([...numbers].sort());
    expect(list.$(`#unit-results a[href="${BASE}/${app.world.properties.maxPlanck.id}/einheiten/${app.world.units.wohnung002.id}"]`)).toHaveLength(1);
    // Nordhaus has a Wohnung 002 too, in Hafenstraße 9.
    expect(texts(list, '#unit-results tbody td:nth-child(2)')).not.toContain('Hafenstraße 9');

    expect(texts(await clerk.get('/verwaltung/einheiten?q=stellplatz'), '#unit-results tbody th')).toEqual(['Stellplatz 1', 'Stellplatz 2', 'Stellplatz 3']);
    const byProperty = await clerk.get('/verwaltung/einheiten?q=Lindenallee');
    expect(texts(byProperty, '#unit-results tbody td:nth-child(2)')).toEqual(Array(4).fill('Lindenallee 5–7'));
    const filtered = await clerk.get(`/verwaltung/einheiten?liegenschaft=${app.world.properties.rosenweg.id}&sortierung=-flaeche`);
    expect(filtered.$('#unit-property').val()).toBe('Rosenweg 24');
    const areas = texts(filtered, '#unit-results tbody td.num');
    expect(areas[0]).toBe('112,4 m²');
    expect(areas.at(-1)).toBe('12,5 m²');
    expect(areas).toHaveLength(9);
    // Another Verwaltung's property as filter shows nothing: the query names the Verwaltung.
    expect((await clerk.get(`/verwaltung/einheiten?liegenschaft=${app.world.properties.hafenstrasse.id}`)).$('#unit-results tbody tr')).toHaveLength(0);

    const em = app.em();
    for (let i = 1; i <= 51; i++)
      em.create(Unit, {
        organization: app.world.organizations.sonnenschein.id,
        property: app.world.properties.test.id,
        number: `Keller ${String(i).padStart(2, '0')}`,
        kind: 'other',
        createdAt: app.clock.now(),
      });
    await em.flush();
    const first = await clerk.get('/verwaltung/einheiten?q=Keller&sortierung=-nummer');
    expect(first.$('#unit-results tbody tr')).toHaveLength(50);
    expect(texts(first, '#unit-results tbody th').at(0)).toBe('Keller 51');
    const fragment = await clerk.get('/verwaltung/einheiten?q=Keller&sortierung=-nummer&seite=2', { 'HX-Request': 'true', 'HX-Target': 'unit-results' });
    expect(fragment.text).not.toContain('<html');
    expect(fragment.$('form, select')).toHaveLength(0);
    expect(texts(fragment, 'tbody th')).toEqual(['Keller 01']);
    expect(fragment.text).toContain('Seite 2 von 2 · 51 Einträge');
    expect((await clerk.get('/verwaltung/einheiten?sortierung=art')).$('th[aria-sort=ascending]').text().trim()).toMatch(/^Art/);
  });

  it('shows the unit page with running, future and past contracts, contacts linked, and "Neuer Vertrag"', async () => {
    const mp = app.world.properties.maxPlanck;
    const unit = await mpUnit('Wohnung 004');
    const page = await clerk.get(`${BASE}/${mp.id}/einheiten/${unit.id}`);
    expect(page.$(`a[href="/verwaltung/vertraege/neu?einheit=${unit.id}"]`).text()).toBe('Neuer Vertrag');
    const section = (group: string) => texts(page, `table[aria-labelledby=contracts-${group}] tbody td:first-of-type`);
    expect(section('future')).toEqual(['Peter Schulz']);
    expect(section('past')).toEqual(['Aylin Demir']);
    expect(page.$(`table[aria-labelledby=contracts-future] a[href="/verwaltung/kontakte/${app.world.contacts.schulz.id}"]`)).toHaveLength(1);
    expect(texts(page, '.unit-contacts tbody th')).toEqual(expect.arrayContaining(['Peter Schulz', 'Aylin Demir']));
    expect(page.$('nav.tabs a[aria-current]').text()).toBe('Dokumente');
  });
});

describe('who may', () => {
  /** Every new route of a Sonnenschein record, as [method, path]. */
  async function routes(): Promise<Array<[string, string]>> {
    const rosenweg = app.world.properties.rosenweg.id;
    const address = (await rosenwegAddress()).id;
    const unit = (await rosenwegUnit()).id;
    const p = `${BASE}/${rosenweg}`;
    return [
      ['GET', `${p}/bearbeiten`],
      ['POST', `${p}/bearbeiten`],
      ['GET', `${p}/archivieren`],
      ['POST', `${p}/archivieren`],
      ['POST', `${p}/wiederherstellen`],
      ['GET', `${p}/adressen/neu`],
      ['POST', `${p}/adressen`],
      ['GET', `${p}/adressen/${address}/bearbeiten`],
      ['POST', `${p}/adressen/${address}/bearbeiten`],
      ['GET', `${p}/adressen/${address}/archivieren`],
      ['POST', `${p}/adressen/${address}/archivieren`],
      ['POST', `${p}/adressen/${address}/wiederherstellen`],
      ['GET', `${p}/einheiten/neu`],
      ['POST', `${p}/einheiten`],
      ['GET', `${p}/einheiten/${unit}`],
      ['GET', `${p}/einheiten/${unit}/bearbeiten`],
      ['POST', `${p}/einheiten/${unit}/bearbeiten`],
      ['GET', `${p}/einheiten/${unit}/archivieren`],
      ['POST', `${p}/einheiten/${unit}/archivieren`],
      ['POST', `${p}/einheiten/${unit}/wiederherstellen`],
    ];
  }
  const send = (client: Client, method: string, path: string, fields: Record<string, string> = {}) =>
    method === 'GET' ? client.get(path) : client.post(path, fields);

  it('the other Verwaltung gets 404 on every route of a Sonnenschein property, address or unit, and sees none in the lists', async () => {
    for (const [method, path] of await routes()) {
      const page = await send(nord, method, path, {
        name: 'Nord',
        kind: 'weg',
        number: 'Nord',
        street: 'Nord',
        houseNumber: '1',
        postalCode: '1',
        city: 'Nord',
      });
      expect(page.status, `${method} ${path}`).toBe(404);
      expect(page.text, `${method} ${path}`).not.toContain('Rosenweg');
    }
    expect(await app.em().count(Unit, { number: 'Nord' }, all)).toBe(0);
    expect(await app.em().count(Address, { street: 'Nord' }, all)).toBe(0);
    expect(new Set(texts(await nord.get('/verwaltung/einheiten'), '#unit-results tbody td:nth-child(2)'))).toEqual(new Set(['Hafenstraße 9']));
    expect((await nord.get('/verwaltung/adressen?q=Rosenweg')).$('#address-results tbody tr')).toHaveLength(0);
    expect((await nord.get('/verwaltung/einheiten?q=Rosenweg')).$('#unit-results tbody tr')).toHaveLength(0);
  });

  it('a unit or address is a 404 through another property of the same Verwaltung', async () => {
    const mp = app.world.properties.maxPlanck.id;
    const [address, unit] = [await rosenwegAddress(), await rosenwegUnit()];
    for (const path of [
      `${BASE}/${mp}/adressen/${address.id}/bearbeiten`,
      `${BASE}/${mp}/einheiten/${unit.id}/bearbeiten`,
      `${BASE}/${mp}/einheiten/${unit.id}`,
    ]) {
      expect((await clerk.get(path)).status, path).toBe(404);
    }
    expect((await clerk.post(`${BASE}/${mp}/adressen/${address.id}/archivieren`)).status).toBe(404);
  });

  it('anonymous visitors and residents are sent to the console login', async () => {
    const resident = app.client();
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
    for (const client of [app.client(), resident]) {
      for (const path of ['/verwaltung/einheiten', '/verwaltung/adressen', `${BASE}/neu`, `${BASE}/${app.world.properties.maxPlanck.id}/einheiten/neu`]) {
        const page = await client.get(path);
        expect([page.status, page.location?.split('?')[0]], path).toEqual([303, '/verwaltung/anmelden']);
      }
    }
  });

  it('a form without the CSRF token is refused with 403 and changes nothing', async () => {
    const id = await createProperty({ name: 'Ohne Token' });
    const refused = await clerk.post(`${BASE}/${id}/bearbeiten`, { name: 'Geändert', kind: 'weg', externalId: '' }, { csrf: false });
    expect(refused.status).toBe(403);
    expect((await clerk.post(BASE, { ...newProperty, name: 'Ohne Token 2' }, { csrf: false })).status).toBe(403);
    expect((await clerk.post(`${BASE}/${id}/archivieren`, {}, { csrf: false })).status).toBe(403);
    const property = await app.em().findOneOrFail(Property, { id }, all);
    expect([property.name, property.archivedAt]).toEqual(['Ohne Token', null]);
    expect(await app.em().count(Property, { name: 'Ohne Token 2' }, all)).toBe(0);
  });
});
