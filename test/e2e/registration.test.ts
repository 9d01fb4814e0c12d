import { afterAll, beforeAll, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contact, Organization } from '../../src/entities/index.ts';
import { createInvitation, registrationLink } from '../../src/features/invitations/codes.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/** Registration from an invitation link and the first-login questions, on a phone, without JavaScript too. */
let t: BrowserTest;

describeInBrowser('registration in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    await t.app
      .em()
      .nativeUpdate(
        Organization,
        { id: t.app.world.organizations.sonnenschein.id },
        { askResidentQuestion: true, askContactDataConfirmation: true, askContactPreference: true },
      );
  });
  afterAll(() => t?.close());

  /** A contact invitation as the console creates it (src/features/invitations); the link of its mail. */
  async function invitationLink(lastName: string) {
    const em = t.app.em();
    scopeToOrganization(em, t.app.world.organizations.sonnenschein.id);
    const organization = await em.findOneOrFail(Organization, { id: t.app.world.organizations.sonnenschein.id });
    const contact = await em.findOneOrFail(Contact, { lastName });
    const { code } = await createInvitation(em, { organization, kind: 'contact', channel: 'email', contact, email: contact.email }, t.app.clock.now());
    await em.flush();
    return registrationLink(t.baseUrl, code);
  }

  for (const javaScript of [true, false]) {
    it(`registers from the link, answers the questions and lands on the property (360px, JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const lastName = javaScript ? 'Becker' : 'Hoffmann';
      const page = await t.newPage({ width: 360, javaScript });
      await page.goto(await invitationLink(lastName));
      await expect(page.locator('h1').textContent()).resolves.toBe('Registrierung im Kundenportal');
      expect(await horizontalOverflow(page)).toBe(0);
      if (javaScript) await t.screenshot(page, 'registration-form-360');

      await page.getByLabel('E-Mail-Adresse').fill(`${lastName.toLowerCase()}.browser@example.de`);
      await page.getByLabel('Passwort', { exact: true }).fill('Kurz');
      await page.getByLabel('Passwort wiederholen').fill('Kurz');
      await page.getByRole('button', { name: 'Registrieren' }).click();
      await expect(page.locator('#password-error').textContent()).resolves.toBe('Das Passwort muss mindestens 10 Zeichen lang sein.');
      await expect(page.getByLabel('E-Mail-Adresse').inputValue()).resolves.toBe(`${lastName.toLowerCase()}.browser@example.de`);

      await page.getByLabel('Passwort', { exact: true }).fill('Sonnenblume-2026');
      await page.getByLabel('Passwort wiederholen').fill('Sonnenblume-2026');
      await Promise.all([page.waitForURL(/\/portal\/willkommen$/), page.getByRole('button', { name: 'Registrieren' }).click()]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Willkommen im Kundenportal');
      expect(await horizontalOverflow(page)).toBe(0);

      await page.getByRole('group', { name: 'Wohnen Sie in der Liegenschaft?' }).getByLabel('Ja').check();
      await page.getByLabel('Telefon').fill('089 7654321');
      await page.getByLabel('Straße und Hausnummer').fill('Max-Planck-Straße 12');
      await page.getByLabel('PLZ').fill('80638');
      await page.getByLabel('Ort', { exact: true }).fill('München');
      await page.getByRole('group', { name: 'Präferierter Kontaktweg' }).getByLabel('Online').check();
      if (javaScript) await t.screenshot(page, 'registration-welcome-360');
      await Promise.all([page.waitForURL(/\/portal\/liegenschaften\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Speichern und weiter' }).click()]);
      await expect(page.locator('main h1').textContent()).resolves.toContain('Max-Planck-Straße 12');
      // Profil is in the header's menu (a <details>, opens without JavaScript too).
      await page.locator('.portal-menu summary').click();
      await expect(page.getByRole('link', { name: 'Profil' }).isVisible()).resolves.toBe(true);
      // The browser logs the 422 of the refused password; nothing else may go wrong.
      expect(t.problemsOf(page).filter((p) => !p.includes('status of 422'))).toEqual([]);
    });
  }
});
