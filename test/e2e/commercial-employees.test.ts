import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contact } from '../../src/entities/index.ts';
import { DEMO_BAKERY_LOGIN, seedDemoCommercial } from '../../src/features/commercial/demo.ts';
import { linkIn } from '../support/smtp.ts';
import { describeInBrowser, horizontalOverflow, startBrowserTest, type BrowserTest } from './harness.ts';

/**
 * "A bakery employee of the commercial unit joins through the bakery's invitation" (issue 23):
 * the bakery invites on a phone from "Mitarbeiter", the employee registers from the mail's link
 * and lands on the property as Gewerbemitarbeiter, without JavaScript too.
 */
let t: BrowserTest;

describeInBrowser('a Gewerbemitarbeiter joins in the browser', () => {
  beforeAll(async () => {
    t = await startBrowserTest();
    const em = t.app.em();
    scopeToOrganization(em, t.app.world.organizations.sonnenschein.id);
    const bakery = await em.findOneOrFail(Contact, { companyName: 'Bäckerei Brotzeit GmbH' });
    const passwordHash = await hashPassword(t.app.world.password);
    await seedDemoCommercial(
      em,
      { organization: t.app.world.organizations.sonnenschein, property: t.app.world.properties.maxPlanck, bakery, passwordHash },
      t.app.clock.now(),
    );
    await em.flush();
  });
  afterAll(() => t?.close());

  for (const javaScript of [true, false]) {
    it(`the bakery invites, the employee registers and sees the house (360px, JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const name = javaScript ? 'Anna Kruste' : 'Bernd Brezel';
      const email = javaScript ? 'anna.kruste@example.de' : 'bernd.brezel@example.de';
      const bakery = await t.newPage({ width: 360, javaScript });
      await t.loginPortal(bakery, DEMO_BAKERY_LOGIN);
      await bakery.goto(`/portal/liegenschaften/${t.app.world.properties.maxPlanck.id}`);
      await expect(bakery.locator('main').textContent()).resolves.toContain('Ihre Rolle: Gewerbe');
      await bakery.locator('.portal-menu summary').click();
      await Promise.all([bakery.waitForURL(/\/mitarbeiter$/), bakery.getByRole('link', { name: 'Mitarbeiter', exact: true }).click()]);
      await expect(bakery.locator('main h1').textContent()).resolves.toBe('Mitarbeiter');
      await expect(bakery.locator('main').textContent()).resolves.toContain('Paula Teig');
      expect(await horizontalOverflow(bakery)).toBe(0);
      await bakery.getByLabel('Name', { exact: true }).fill(name);
      await bakery.getByLabel('E-Mail-Adresse').fill(email);
      await Promise.all([bakery.waitForURL(/hinweis=eingeladen$/), bakery.getByRole('button', { name: 'Einladung senden' }).click()]);
      await expect(bakery.getByRole('status').textContent()).resolves.toBe('Die Einladung wurde per E-Mail versendet.');
      if (javaScript) await t.screenshot(bakery, 'commercial-employees-360');

      await t.app.deliverMail();
      const [mail] = t.app.smtp.to(email);
      const employee = await t.newPage({ width: 360, javaScript });
      await employee.goto(linkIn(mail, '/portal/registrieren?code='));
      await expect(employee.locator('main').textContent()).resolves.toContain('Bäckerei Brotzeit GmbH lädt Sie als Gewerbemitarbeiterin');
      await employee.getByLabel('Name', { exact: true }).fill(name);
      await employee.getByLabel('Passwort', { exact: true }).fill('Brotzeit-2026-Team');
      await employee.getByLabel('Passwort wiederholen').fill('Brotzeit-2026-Team');
      await Promise.all([employee.waitForURL(/\/portal\/liegenschaften\/[0-9a-f-]{36}$/), employee.getByRole('button', { name: 'Registrieren' }).click()]);
      await expect(employee.locator('main').textContent()).resolves.toContain('Ihre Rolle: Gewerbemitarbeiter');
      expect(await horizontalOverflow(employee)).toBe(0);
      expect(t.problemsOf(bakery)).toEqual([]);
      expect(t.problemsOf(employee)).toEqual([]);
    });
  }
});
