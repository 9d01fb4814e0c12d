import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { addDays, berlinDate } from '../../src/clock.ts';
import { processCache } from '../../src/db/process-cache.ts';
import { Contact, Contract, Organization, PortalMembership, PortalUser, Unit } from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { CODE } from '../support/pdf.ts';
import type { Client } from '../support/client.ts';

/**
 * The portal access answer is cached per user and Berlin day (src/features/access/cache.ts).
 * Each writer of what the access rule reads must evict it: the resident sees the property
 * (and the answer is cached), the writer changes it over HTTP, and the very next request
 * sees the change: a 404 where access ended, 200 where it came back.
 */
let app: TestApp;
let manager: Client;
let admin: Client;
const all = { filters: { tenant: false } } as const;
const maxPlanck = () => app.world.properties.maxPlanck.id;
const rosenweg = () => app.world.properties.rosenweg.id;
const today = () => berlinDate(app.clock.now());
/** Long enough ago that the 60 days of "Zugang nach Vertragsende" (demo setting) are over too. */
const endedLongAgo = () => addDays(today(), -100);

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  admin = manager;
});
afterAll(() => app?.close());

async function resident(email: string) {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

/** The status of a property's start page for this resident. */
const startPage = async (client: Client, propertyId: string) => (await client.get(`/portal/liegenschaften/${propertyId}`)).status;

const kristinasContract = () =>
  app
    .em()
    .findOneOrFail(Contract, { contacts: app.world.contacts.kristina.id, unit: app.world.units.wohnung002.id }, { ...all, populate: ['contacts', 'unit'] });
const eignersMaxPlanckContract = () =>
  app.em().findOneOrFail(Contract, { contacts: app.world.contacts.eigner.id, unit: app.world.units.wohnung002.id }, { ...all, populate: ['contacts', 'unit'] });

/** Sets a contract's end directly (test set-up; the flush evicts like any writer's). */
async function setEnd(contractId: string, endsOn: string | null) {
  const em = app.em();
  const contract = await em.findOneOrFail(Contract, contractId, all);
  contract.endsOn = endsOn;
  await em.flush();
}

describe('the cache itself', () => {
  it('answers the second request from memory: the access answer is stored after the first', async () => {
    const kristina = await resident('kristina.maiblume@example.de');
    // The login evicts her access answers through NOTIFY: heard late, it would keep the first request's answer from being stored.
    await app.cachesCaughtUp();
    const cache = processCache(app.orm, 'access');
    cache.clear();
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    expect(cache.size).toBeGreaterThanOrEqual(1);
  });
});

describe('every writer of the access rule evicts the cached answer', () => {
  let kristina: Client;
  beforeEach(async () => {
    kristina = await resident('kristina.maiblume@example.de');
  });

  it('Vertrag bearbeiten: an end date in the past closes the portal on the next request, removing it opens it again', async () => {
    const contract = await kristinasContract();
    const form = (endsOn: string) => ({
      liegenschaft: maxPlanck(),
      einheit: contract.unit.id,
      kind: contract.kind,
      contractNumber: contract.contractNumber ?? '',
      startsOn: contract.startsOn,
      endsOn,
      externalId: contract.externalId ?? '',
      kontakte: [app.world.contacts.kristina.id],
    });
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    expect((await manager.post(`/verwaltung/vertraege/${contract.id}`, form(endedLongAgo()))).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    expect((await manager.post(`/verwaltung/vertraege/${contract.id}`, form(''))).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('Vertrag archivieren and wiederherstellen', async () => {
    const contract = await kristinasContract();
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    expect((await manager.post(`/verwaltung/vertraege/${contract.id}/archivieren`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    expect((await manager.post(`/verwaltung/vertraege/${contract.id}/wiederherstellen`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('Kontakt archivieren and wiederherstellen', async () => {
    const contact = app.world.contacts.kristina.id;
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    expect((await manager.post(`/verwaltung/kontakte/${contact}/archivieren`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    expect((await manager.post(`/verwaltung/kontakte/${contact}/wiederherstellen`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('Einheit archivieren and wiederherstellen', async () => {
    const unit = `/verwaltung/liegenschaften/${maxPlanck()}/einheiten/${app.world.units.wohnung002.id}`;
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    expect((await manager.post(`${unit}/archivieren`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    expect((await manager.post(`${unit}/wiederherstellen`)).status).toBe(303);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('the sync API (PUT /api/v1/contracts, upsertItems): an end date sent by the ERP applies at once', async () => {
    const contract = await kristinasContract();
    const em = app.em();
    const unit = await em.findOneOrFail(Unit, contract.unit.id, all);
    const contact = await em.findOneOrFail(Contact, app.world.contacts.kristina.id, all);
    const put = (endsOn: string | null) =>
      fetch(`${app.baseUrl}/api/v1/contracts`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [
            {
              externalId: contract.externalId,
              unitExternalId: unit.externalId,
              contactExternalIds: [contact.externalId],
              kind: contract.kind,
              contractNumber: contract.contractNumber,
              startsOn: contract.startsOn,
              endsOn,
            },
          ],
        }),
      });
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    const ended = await put(endedLongAgo());
    expect(ended.status).toBe(200);
    expect(((await ended.json()) as { results: Array<{ status: string }> }).results[0].status).toBe('updated');
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    expect((await put(null)).status).toBe(200);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('the CSV import of Verträge, once confirmed', async () => {
    const contract = await kristinasContract();
    const em = app.em();
    // The import leaves what the ERP keeps alone (the sync API test above made it the ERP's).
    await em.nativeUpdate(Contract, { id: contract.id }, { erpSyncedAt: null }, all);
    const unit = await em.findOneOrFail(Unit, contract.unit.id, all);
    const contact = await em.findOneOrFail(Contact, app.world.contacts.kristina.id, all);
    const german = (day: string) => day.split('-').reverse().join('.');
    const importWith = async (endsOn: string) => {
      const csv = [
        'Externe ID;Einheit (Externe ID);Kontakte (Externe IDs);Art;Vertragsnummer;Beginn;Ende',
        `${contract.externalId};${unit.externalId};${contact.externalId};Miete;${contract.contractNumber};${german(contract.startsOn)};${endsOn}`,
      ].join('\n');
      const sent = await admin.postMultipart(
        '/verwaltung/stammdaten/import',
        { art: 'contracts' },
        [{ name: 'vertraege.csv', type: 'text/csv', content: Buffer.from(csv) }],
        'datei',
      );
      expect(sent.status, sent.$('.field-error').text()).toBe(303);
      expect((await admin.post(`${sent.location}/bestaetigen`)).status).toBe(303);
      expect((await kristinasContract()).endsOn).toBe(endsOn ? endedLongAgo() : null);
    };
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    await importWith(german(endedLongAgo()));
    expect(await startPage(kristina, maxPlanck())).toBe(404);
    await importWith('');
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });

  it('Rollen & Zugriffsrechte: switching "Zugang nach Vertragsende" off and on again', async () => {
    // Dr. Eigner's ownership in Max-Planck-Straße ended 10 days ago: only the window keeps it
    // open. He also owns in Rosenweg 24, so his session outlives the window.
    const contract = await eignersMaxPlanckContract();
    await setEnd(contract.id, addDays(today(), -10));
    const eigner = await resident('heinrich.eigner@example.de');
    const settings = (post: boolean) =>
      admin.post('/verwaltung/administration/kundenportal/rollen-zugriffsrechte', {
        preContractAccessEnabled: 'on',
        preContractAccessDays: '30',
        ...(post ? { postContractAccessEnabled: 'on' } : {}),
        postContractAccessDays: '60',
      });
    try {
      expect(await startPage(eigner, maxPlanck())).toBe(200);
      expect((await settings(false)).status).toBe(303);
      expect(await startPage(eigner, maxPlanck())).toBe(404);
      expect(await startPage(eigner, rosenweg())).toBe(200);
      expect((await settings(true)).status).toBe(303);
      expect(await startPage(eigner, maxPlanck())).toBe(200);
    } finally {
      await setEnd(contract.id, null);
      const organization = await app.em().findOneOrFail(Organization, app.world.organizations.sonnenschein.id);
      expect(organization.postContractAccessEnabled).toBe(true);
    }
  });

  it('"Zugang beenden" of a Bewohner membership', async () => {
    const em = app.em();
    const now = app.clock.now();
    const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
    const nina = em.create(PortalUser, {
      organization,
      email: 'nina.cache@example.de',
      name: 'Nina Cache',
      passwordHash: await hashPassword(app.world.password),
      createdAt: now,
      onboardedAt: now,
    });
    const membership = (property: string) =>
      em.create(PortalMembership, { organization, portalUser: nina, property, role: 'resident', invitedBy: app.world.portalUsers.kristina.id, createdAt: now });
    const here = membership(maxPlanck());
    membership(rosenweg());
    await em.flush();
    const client = await resident('nina.cache@example.de');
    expect(await startPage(client, maxPlanck())).toBe(200);
    expect((await manager.post(`/verwaltung/liegenschaften/${maxPlanck()}/bewohner/${here.id}/beenden`)).status).toBe(303);
    expect(await startPage(client, maxPlanck())).toBe(404);
    expect(await startPage(client, rosenweg())).toBe(200);
  });

  it('the access-window job ends the sessions of those left with nothing, cached ones included', async () => {
    const contract = await kristinasContract();
    expect(await startPage(kristina, maxPlanck())).toBe(200);
    await setEnd(contract.id, endedLongAgo());
    try {
      // The access answer went with the change; the session is still cached and valid.
      expect(await startPage(kristina, maxPlanck())).toBe(404);
      expect(await app.runTask('access-windows')).toBe(true);
      const page = await kristina.get(`/portal/liegenschaften/${maxPlanck()}`);
      expect(page.status).toBe(303);
      expect(page.location).toMatch(/\/portal\/anmelden/);
    } finally {
      await setEnd(contract.id, null);
    }
  });

  it('a contact linked to a login with its code (Nutzer zum Kontakt hinzufügen, redeemed in the profile) opens its property at once', async () => {
    const nowak = await app.em().findOneOrFail(Contact, { lastName: 'Nowak' }, all);
    expect(await startPage(kristina, rosenweg())).toBe(404);
    expect((await manager.post(`/verwaltung/kontakte/${nowak.id}/nutzer`, { email: 'kristina.maiblume@example.de' })).status).toBe(303);
    await app.deliverMail();
    const code = app.smtp.to('kristina.maiblume@example.de').at(-1)!.text.match(CODE)![0];
    expect((await kristina.post('/portal/profil/zugang', { code })).status).toBe(303);
    expect(await startPage(kristina, rosenweg())).toBe(200);
    expect(await startPage(kristina, maxPlanck())).toBe(200);
  });
});
