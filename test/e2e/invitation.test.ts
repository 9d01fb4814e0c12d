import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Organization, PortalUser } from '../../src/entities/index.ts';
import { CODE, readPdf } from '../support/pdf.ts';
import { renderPdfInBrowser } from './pdf.ts';
import { linkIn } from '../support/smtp.ts';
import { describeInBrowser, horizontalOverflow, SCREENSHOT_DIR, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * The invitation as seeds 000/001 walk it, through the console's own pages: the manager
 * invites Kristina Maiblume by e-mail, she opens the link from the mail (real SMTP
 * receiver), registers, answers the first-login questions and lands on Max-Planck-Straße 12.
 * Then a letter: its PDF is rendered to an image, its QR code read, and its code typed in
 * registers Marta Nowak (no e-mail address).
 */
const MANAGER = 'verwalter@sonnenschein-hv.de';
const PASSWORD = 'Maiglöckchen-2026';

let t: BrowserTest;

describeInBrowser('invitation to the resident portal in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    const em = t.app.em();
    const sonnenschein = t.app.world.organizations.sonnenschein.id;
    await em.nativeUpdate(Organization, { id: sonnenschein }, { askResidentQuestion: true, askContactDataConfirmation: true, askContactPreference: true });
    // In the guide Kristina has not registered yet: the demo's login of hers is taken away.
    const kristinaLogin = t.app.world.portalUsers.kristina.id;
    await em.getConnection().execute('delete from portal_user_contact where portal_user_id = ?', [kristinaLogin]);
    await em.nativeUpdate(PortalUser, { id: kristinaLogin }, { email: 'alter.zugang@example.de' }, { filters: false });
  });
  afterAll(() => t?.close());

  /** From the Kontakte list to the contact's page, by searching the name as a manager would. */
  async function openContact(page: Page, name: string) {
    await page.goto(`/verwaltung/kontakte?q=${encodeURIComponent(name.split(' ').at(-1)!)}`);
    await Promise.all([page.waitForURL(/\/verwaltung\/kontakte\/[0-9a-f-]{36}$/), page.getByRole('link', { name, exact: true }).first().click()]);
    await expect(page.locator('main h1').textContent()).resolves.toContain(name);
  }

  it('invites Kristina Maiblume by e-mail; she registers from the link, answers the questions and lands on her property', async () => {
    const manager = await t.newPage();
    await t.loginStaff(manager, MANAGER);
    await openContact(manager, 'Kristina Maiblume');
    await expect(manager.locator('.page-head .portal-status').textContent()).resolves.toContain('nicht eingeladen');
    await manager.getByRole('group', { name: 'Einladen' }).getByLabel('Per E-Mail').check();
    await manager.getByRole('button', { name: 'Einladung senden' }).click();
    await manager.waitForLoadState();
    await expect(manager.locator('.page-head .portal-status').textContent()).resolves.toContain('eingeladen');
    await t.screenshot(manager, 'invitation-contact-1280');

    const mails = await t.app.deliverMail();
    const mail = mails.find((m) => m.to.includes('kristina.maiblume@example.de'));
    expect(mail?.subject).toContain('Einladung');
    const link = linkIn(mail!, '/portal/registrieren');

    const kristina = await t.newPage({ width: 360 });
    await kristina.goto(link);
    await expect(kristina.locator('h1').textContent()).resolves.toBe('Registrierung im Kundenportal');
    await expect(kristina.getByLabel('E-Mail-Adresse').inputValue()).resolves.toBe('kristina.maiblume@example.de');
    await kristina.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await kristina.getByLabel('Passwort wiederholen').fill(PASSWORD);
    await Promise.all([kristina.waitForURL(/\/portal\/willkommen$/), kristina.getByRole('button', { name: 'Registrieren' }).click()]);

    await kristina.getByRole('group', { name: 'Wohnen Sie in der Liegenschaft?' }).getByLabel('Ja').check();
    await expect(kristina.getByLabel('Straße und Hausnummer').inputValue()).resolves.toBe('Max-Planck-Straße 12');
    await kristina.getByLabel('Telefon').fill('0151 9876543');
    await kristina.getByRole('group', { name: 'Präferierter Kontaktweg' }).getByLabel('Online').check();
    await Promise.all([
      kristina.waitForURL(/\/portal\/liegenschaften\/[0-9a-f-]{36}$/),
      kristina.getByRole('button', { name: 'Speichern und weiter' }).click(),
    ]);
    await expect(kristina.locator('main h1').textContent()).resolves.toContain('Max-Planck-Straße 12');
    expect(await horizontalOverflow(kristina)).toBe(0);
    await t.screenshot(kristina, 'invitation-landed-360');
    expect(t.problemsOf(kristina)).toEqual([]);

    // The manager sees her as registered, with what she answered.
    await manager.reload();
    await expect(manager.locator('.page-head .portal-status').textContent()).resolves.toContain('registriert');
    const details = (await manager.locator('main').textContent()) ?? '';
    expect(details).toContain('0151 9876543');
    expect(t.problemsOf(manager)).toEqual([]);
  });

  it('a letter invitation renders as a PDF with a QR code, and its code registers Marta Nowak', async () => {
    const manager = await t.newPage();
    await t.loginStaff(manager, MANAGER);
    await openContact(manager, 'Marta Nowak');
    await manager.getByRole('group', { name: 'Einladen' }).getByLabel('Per Brief').check();
    await manager.getByRole('button', { name: /Einladung senden|Erneut einladen/ }).click();
    await manager.waitForLoadState();
    const download = manager.getByRole('link', { name: 'Einladungsbrief herunterladen (PDF)' });
    const response = await manager.request.get((await download.getAttribute('href'))!);
    expect(response.headers()['content-type']).toBe('application/pdf');

    const bytes = new Uint8Array(await response.body());
    const pdf = await readPdf(bytes);
    expect(pdf.pages).toBe(1);
    expect(pdf.texts[0]).toContain('Marta Nowak');
    expect(pdf.texts[0]).toContain('Rosenweg 24');
    const code = pdf.texts[0].match(CODE)![0];
    // As an image: the page renders, and its QR code leads to the personal link.
    const image = await renderPdfInBrowser(t.browser, bytes, path.join(SCREENSHOT_DIR, 'invitation-letter.png'));
    expect(image.png.length).toBeGreaterThan(10_000);
    expect(image.qr).toBe(`${t.baseUrl}/portal/registrieren?code=${code}`);

    // Typed from the letter, without the link.
    const marta = await t.newPage({ width: 360 });
    await marta.goto('/portal/registrieren');
    await marta.getByLabel('Registrierungscode').fill(code.toLowerCase().replace(/-/g, ' '));
    await marta.getByRole('button', { name: 'Weiter' }).click();
    await marta.getByLabel('E-Mail-Adresse').fill('marta.nowak@example.de');
    await marta.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
    await marta.getByLabel('Passwort wiederholen').fill(PASSWORD);
    await Promise.all([marta.waitForURL(/\/portal\/willkommen$/), marta.getByRole('button', { name: 'Registrieren' }).click()]);
    await marta.getByRole('group', { name: 'Wohnen Sie in der Liegenschaft?' }).getByLabel('Ja').check();
    await marta.getByLabel('Telefon').fill('089 1234567');
    await marta.getByRole('group', { name: 'Präferierter Kontaktweg' }).getByLabel('Post').check();
    await Promise.all([marta.waitForURL(/\/portal\/liegenschaften\/[0-9a-f-]{36}$/), marta.getByRole('button', { name: 'Speichern und weiter' }).click()]);
    await expect(marta.locator('main h1').textContent()).resolves.toContain('Rosenweg 24');
    expect(t.problemsOf(marta)).toEqual([]);
  });
});
