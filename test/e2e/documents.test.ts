import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contact, DocumentType, PortalUser } from '../../src/entities/index.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * The two case studies of seed 003, clicked through as written: the manager uploads, the
 * residents look. Marta Nowak (tenant in Rosenweg 24) gets a login for this test; Dr. Eigner
 * owns flats in Rosenweg 24 and Wohnung 002 of Max-Planck-Straße 12 but rents nothing.
 */
let t: BrowserTest;
const FIXTURES = new URL('../fixtures/documents/', import.meta.url);

describeInBrowser('Dokumente (seed 003) in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    const em = t.app.em() as Em;
    scopeToOrganization(em, t.app.world.organizations.sonnenschein.id);
    const nowak = await em.findOneOrFail(Contact, { lastName: 'Nowak' });
    em.create(PortalUser, {
      organization: t.app.world.organizations.sonnenschein,
      email: 'marta.nowak@example.de',
      name: 'Marta Nowak',
      passwordHash: await hashPassword(t.app.world.password),
      createdAt: new Date(),
      onboardedAt: new Date(),
      contacts: [nowak],
    });
    await em.flush();
  });
  afterAll(() => t?.close());

  async function typeId(name: string) {
    const em = t.app.em() as Em;
    scopeToOrganization(em, t.app.world.organizations.sonnenschein.id);
    return (await em.findOneOrFail(DocumentType, { name })).id;
  }

  it('case 1: "Hausordnung" shared with Mieter of Rosenweg 24 lands in "Objektunterlagen" for a tenant, not for an owner', async () => {
    const rosenweg = t.app.world.properties.rosenweg;
    const manager = await t.newPage();
    await t.loginStaff(manager, 'verwalter@sonnenschein-hv.de');
    // Schritt 1–2: Liegenschaften → Rosenweg 24 → Dokumente.
    await manager.goto('/verwaltung/liegenschaften');
    await manager.getByRole('link', { name: 'Rosenweg 24' }).first().click();
    await manager.getByRole('link', { name: 'Dokumente' }).click();
    await manager.waitForURL(`**/verwaltung/liegenschaften/${rosenweg.id}/dokumente`);

    // Schritt 3–4: upload; the title comes from the file name; type and "Geteilt mit".
    await manager
      .getByLabel('Dateien auswählen')
      .setInputFiles({ name: 'Hausordnung.pdf', mimeType: 'application/pdf', buffer: readFileSync(new URL('hausordnung.pdf', FIXTURES)) });
    await expect(manager.getByLabel('Titel').inputValue()).resolves.toBe('Hausordnung');
    await manager.getByLabel('Dokumententyp').selectOption(await typeId('Hausordnung'));
    await manager.getByRole('checkbox', { name: 'Mieter', exact: true }).check();
    await t.screenshot(manager, 'documents-upload-1280');
    await Promise.all([manager.waitForURL(/hochgeladen=1/), manager.getByRole('button', { name: 'Dokument hochladen' }).click()]);

    // Schritt 5: filed under the chosen type, downloads to follow.
    const row = manager.locator('table.document-list tbody tr', { hasText: 'Hausordnung' });
    await expect(row.locator('.type-path').textContent()).resolves.toBe('Objektunterlagen › Hausordnung');
    await expect(row.locator('.shared-with').textContent()).resolves.toBe('Mieter');
    await expect(row.locator('.downloads').textContent()).resolves.toBe('0');
    expect(t.problemsOf(manager)).toEqual([]);

    const tenant = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(tenant, 'marta.nowak@example.de');
    await tenant.goto(`/portal/liegenschaften/${rosenweg.id}`);
    await tenant.getByRole('navigation', { name: 'Schnellzugriff' }).getByRole('link', { name: 'Dokumente' }).click();
    await expect(tenant.getByRole('link', { name: 'Objektunterlagen' }).isVisible()).resolves.toBe(true);
    await tenant.getByRole('link', { name: 'Objektunterlagen' }).click();
    await expect(tenant.getByRole('heading', { name: 'Objektunterlagen › Hausordnung' }).isVisible()).resolves.toBe(true);
    await expect(tenant.locator('#document-results').getByRole('link', { name: 'Hausordnung', exact: true }).isVisible()).resolves.toBe(true);
    expect(await horizontalOverflow(tenant)).toBe(0);
    await t.screenshot(tenant, 'documents-portal-360');
    expect(t.problemsOf(tenant)).toEqual([]);

    const owner = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(owner, 'heinrich.eigner@example.de');
    await owner.goto(`/portal/liegenschaften/${rosenweg.id}/dokumente`);
    await expect(owner.locator('main').getByRole('link', { name: 'Hausordnung', exact: true }).count()).resolves.toBe(0);
    await expect(owner.getByRole('link', { name: 'Objektunterlagen' }).count()).resolves.toBe(0);
  });

  it('case 2: "Bedienungsanleitung" shared from Wohnung 002 with Kristina Maiblume: only she sees it, and its downloads rise', async () => {
    const maxPlanck = t.app.world.properties.maxPlanck;
    const manager = await t.newPage();
    await t.loginStaff(manager, 'verwalter@sonnenschein-hv.de');
    // Schritt 1–3: Max-Planck-Straße 12 → Einheiten → Wohnung 002 → Dokumente.
    await manager.goto(`/verwaltung/liegenschaften/${maxPlanck.id}`);
    await manager.getByRole('link', { name: 'Einheiten' }).click();
    await manager.getByRole('link', { name: 'Wohnung 002' }).click();
    await manager.waitForURL(`**/einheiten/${t.app.world.units.wohnung002.id}`);

    await manager
      .getByLabel('Dateien auswählen')
      .setInputFiles({ name: 'Bedienungsanleitung.pdf', mimeType: 'application/pdf', buffer: readFileSync(new URL('hausordnung.pdf', FIXTURES)) });
    await expect(manager.getByLabel('Titel').inputValue()).resolves.toBe('Bedienungsanleitung');
    await manager.getByLabel('Dokumententyp').selectOption(await typeId('Bedienungsanleitungen'));
    await manager.getByRole('checkbox', { name: 'Kristina Maiblume' }).check();
    await Promise.all([manager.waitForURL(/hochgeladen=1/), manager.getByRole('button', { name: 'Dokument hochladen' }).click()]);
    const row = manager.locator('table.document-list tbody tr', { hasText: 'Bedienungsanleitung' });
    await expect(row.locator('.shared-with').textContent()).resolves.toBe('Kristina Maiblume');
    await expect(row.locator('.downloads').textContent()).resolves.toBe('0');

    // The owner of Wohnung 002 does not see it.
    const owner = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(owner, 'heinrich.eigner@example.de');
    await owner.goto(`/portal/liegenschaften/${maxPlanck.id}/dokumente`);
    await expect(owner.getByRole('link', { name: 'Bedienungsanleitung', exact: true }).count()).resolves.toBe(0);

    // Kristina sees it and opens it.
    const kristina = await t.newPage({ width: 360, height: 740 });
    await t.loginPortal(kristina, 'kristina.maiblume@example.de');
    await kristina.goto(`/portal/liegenschaften/${maxPlanck.id}/dokumente`);
    const link = kristina.getByRole('link', { name: 'Bedienungsanleitung', exact: true });
    const href = await link.getAttribute('href');
    const response = await kristina.context().request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(Buffer.from(await response.body()).equals(readFileSync(new URL('hausordnung.pdf', FIXTURES)))).toBe(true);
    expect(t.problemsOf(kristina)).toEqual([]);

    // Back in the console, the unit's list counts the download and names her as having opened it.
    await manager.reload();
    await expect(row.locator('.downloads').textContent()).resolves.toBe('1');
    await row.getByRole('link', { name: 'Bedienungsanleitung' }).click();
    await expect(manager.locator('main').textContent()).resolves.toContain('Kristina Maiblume');
    await t.screenshot(manager, 'documents-show-1280');
    expect(t.problemsOf(manager)).toEqual([]);
  });
});
