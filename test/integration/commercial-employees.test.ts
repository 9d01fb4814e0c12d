import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, berlinDate } from '../../src/clock.ts';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  AuditLog,
  Contact,
  Contract,
  DocumentType,
  Invitation,
  Organization,
  PortalMembership,
  PortalUser,
  Property,
  Session,
  Unit,
  type Document,
} from '../../src/entities/index.ts';
import { DEMO_BAKERY_LOGIN, DEMO_EMPLOYEE_CODE, seedDemoCommercial } from '../../src/features/commercial/demo.ts';
import { publishDocuments, type ShareTarget } from '../../src/features/documents/service.ts';
import { newInvitation } from '../../src/features/invitations/codes.ts';
import { detectType } from '../../src/http/upload.ts';
import { localFileStorage } from '../../src/storage/files.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { SAMPLE_FILES } from '../support/files.ts';
import { linkIn } from '../support/smtp.ts';

// Gewerbemitarbeiter (issue 23, src/features/commercial): the Bäckerei Brotzeit GmbH, tenant of
// "Gewerbe 01 (Bäckerei)" at Max-Planck-Straße 12, with the demo's login, employee and open
// invitation (src/features/commercial/demo.ts, seeded here as `npm start` seeds it).

let app: TestApp;
const all = { filters: { tenant: false } } as const;
const PASSWORD = 'Gewerbe-Mitarbeiter-2026';
const maxPlanck = () => `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
const employeesPage = () => `${maxPlanck()}/mitarbeiter`;
const clients = {} as Record<'bakery' | 'kristina' | 'paula' | 'frieda' | 'logistics' | 'manager' | 'nord', Client>;
let bakery: Contact;
let paula: PortalUser;
let paulaMembership: PortalMembership;
const docs = {} as Record<'property' | 'employees' | 'company' | 'tenants', Document>;

function scoped(): Em {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

async function settings(patch: Partial<Organization>) {
  await app.em().nativeUpdate(Organization, { id: app.world.organizations.sonnenschein.id }, patch);
  app.forgetCaches();
}

/** Publishes a PDF shared as given, as "Dokument hochladen" does (test/integration/documents-portal.test.ts). */
async function publish(title: string, shares: ShareTarget[]) {
  const em = scoped();
  const storage = localFileStorage(app.storageDir);
  await mkdir(storage.tempDir, { recursive: true });
  const tempPath = path.join(storage.tempDir, randomBytes(16).toString('hex'));
  await writeFile(tempPath, SAMPLE_FILES.pdf);
  const detected = (await detectType(tempPath)) as { ext: string; mimeType: string };
  const type = await em.findOneOrFail(DocumentType, { name: 'Hausordnung' });
  const upload = { tempPath, originalName: `${title}.pdf`, fileName: `${title}.pdf`, size: SAMPLE_FILES.pdf.length, ...detected };
  const [document] = await publishDocuments(em, storage, [
    { staff: app.world.staff.manager, property: app.world.properties.maxPlanck, type, title, upload, shares, now: app.clock.now() },
  ]);
  return document;
}

async function portalClient(email: string, password = app.world.password): Promise<Client> {
  const client = app.client();
  await client.loginPortal(email, password);
  return client;
}

beforeAll(async () => {
  app = await startTestApp();
  const em = scoped();
  const now = app.clock.now();
  bakery = await em.findOneOrFail(Contact, { companyName: 'Bäckerei Brotzeit GmbH' });
  const { hashPassword } = await import('../../src/auth/password.ts');
  const passwordHash = await hashPassword(app.world.password);
  await seedDemoCommercial(em, { organization: app.world.organizations.sonnenschein, property: app.world.properties.maxPlanck, bakery, passwordHash }, now);
  // A second commercial tenant, in another property: the Hafenlogistik at Gewerbehof Am Hafen 3.
  const logistics = await em.findOneOrFail(Contact, { companyName: 'Hafenlogistik Süd GmbH' });
  em.create(PortalUser, {
    organization: app.world.organizations.sonnenschein,
    email: 'logistik@example.de',
    name: 'Lotte Logistik',
    passwordHash,
    createdAt: now,
    onboardedAt: now,
    contacts: [logistics],
  });
  await em.flush();
  paula = await em.findOneOrFail(PortalUser, { email: 'paula.teig@example.de' });
  paulaMembership = await em.findOneOrFail(PortalMembership, { portalUser: paula.id });
  const maxPlanckId = app.world.properties.maxPlanck.id;
  docs.property = await publish('Hausordnung für alle', [{ kind: 'property', propertyId: maxPlanckId }]);
  docs.employees = await publish('Lieferzeiten Hof', [{ kind: 'group', propertyId: maxPlanckId, group: 'commercial_employee' }]);
  docs.company = await publish('Mietvertrag Bäckerei', [{ kind: 'contact', contactId: bakery.id }]);
  docs.tenants = await publish('Nur für Mieter', [{ kind: 'group', propertyId: maxPlanckId, group: 'tenant' }]);

  clients.bakery = await portalClient(DEMO_BAKERY_LOGIN);
  clients.kristina = await portalClient('kristina.maiblume@example.de');
  clients.paula = await portalClient('paula.teig@example.de');
  clients.frieda = await portalClient('frieda.friesen@example.de');
  clients.logistics = await portalClient('logistik@example.de');
  clients.manager = app.client();
  await clients.manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clients.nord = app.client();
  await clients.nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
});
afterAll(() => app?.close());

const rows = (page: Awaited<ReturnType<Client['get']>>) =>
  page
    .$('table.list tbody tr')
    .map((_, row) => page.$(row).text().replace(/\s+/g, ' ').trim())
    .get();

describe('the role "Gewerbe"', () => {
  it('shows a company tenant of a commercial unit as "Gewerbe" in the portal, a private tenant as "Mieter"', async () => {
    const start = await clients.bakery.get(maxPlanck());
    expect(start.status).toBe(200);
    expect(start.$('main').text()).toContain('Ihre Rolle: Gewerbe');
    expect(start.$('main').text()).not.toContain('Mieter');
    expect((await clients.kristina.get(maxPlanck())).$('main').text()).toContain('Ihre Rolle: Mieter');
  });

  it("shows it to staff on the property's Kontakte tab", async () => {
    const page = await clients.manager.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/kontakte`);
    const bakeryRow = rows(page).find((r) => r.startsWith('Bäckerei Brotzeit GmbH'));
    expect(bakeryRow).toContain('Gewerbe · Gewerbe 01 (Bäckerei)');
    expect(rows(page).find((r) => r.startsWith('Kristina Maiblume'))).toContain('Mieter · Wohnung 002');
    // The employee appears among the memberships as Gewerbemitarbeiter, with who invited her.
    const member = page.$(`#membership-${paulaMembership.id}`).text();
    expect(member).toContain('Gewerbemitarbeiter');
    expect(member).toContain('Bruno Brotzeit');
    // And on the unit's page.
    const shop = await app.em().findOneOrFail(Unit, { number: 'Gewerbe 01 (Bäckerei)' }, all);
    const unitPage = await clients.manager.get(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${shop.id}`);
    expect(unitPage.$('main').text()).toContain('Gewerbe:');
    expect(unitPage.$('main').text()).not.toContain('Mieter:');
  });
});

describe('"Mitarbeiter" of the company', () => {
  it('lists its employees with name, e-mail and since, and the open invitation', async () => {
    const start = await clients.bakery.get(maxPlanck());
    expect(start.$(`nav.portalnav a[href="${employeesPage()}"]`).text()).toBe('Mitarbeiter');
    const page = await clients.bakery.get(employeesPage());
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Mitarbeiter');
    const [row] = rows(page);
    expect(row).toContain('Paula Teig');
    expect(row).toContain('paula.teig@example.de');
    expect(row).toContain(
      new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }).format(app.clock.now()),
    );
    expect(page.$('main').text()).toContain('lena.mehl@example.de');
  });

  it('is not there for a private tenant, an employee, another company or another Verwaltung (404, German page)', async () => {
    for (const who of ['kristina', 'paula', 'logistics', 'frieda'] as const) {
      const page = await clients[who].get(employeesPage());
      expect(page.status, who).toBe(404);
      expect(page.$('html').attr('lang')).toBe('de');
      const posted = await clients[who].post(employeesPage(), { name: 'Max Mehl', email: 'max.mehl@example.de' });
      expect(posted.status, who).toBe(404);
      const removed = await clients[who].post(`${employeesPage()}/${paulaMembership.id}/entfernen`);
      expect(removed.status, who).toBe(404);
    }
    expect((await clients.kristina.get(maxPlanck())).$(`a[href="${employeesPage()}"]`)).toHaveLength(0);
    // The other company, at its own property, does not find the bakery's employee either.
    const hafenProperty = await app.em().findOneOrFail(Property, { name: 'Gewerbehof Am Hafen 3' }, all);
    const hafen = `/portal/liegenschaften/${hafenProperty.id}/mitarbeiter`;
    expect((await clients.logistics.get(hafen)).status).toBe(200);
    expect((await clients.logistics.post(`${hafen}/${paulaMembership.id}/entfernen`)).status).toBe(404);
    expect(await app.em().count(Invitation, { email: 'max.mehl@example.de' }, all)).toBe(0);
    expect((await app.em().findOneOrFail(PortalMembership, paulaMembership.id, { ...all, refresh: true })).endedAt).toBeNull();
  });

  it('refuses bad input at the field, with the form filled, and writes nothing', async () => {
    const count = () => app.em().count(Invitation, { kind: 'commercial_employee' }, all);
    const before = await count();
    const bad = await clients.bakery.post(employeesPage(), { name: '', email: 'keine-adresse' });
    expect(bad.status).toBe(422);
    expect(bad.$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    expect(bad.$('#email-error').text()).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein.');
    expect(bad.$('#email').val()).toBe('keine-adresse');
    const own = await clients.bakery.post(employeesPage(), { name: 'Bruno', email: DEMO_BAKERY_LOGIN });
    expect(own.$('#email-error').text()).toBe('Das ist Ihre eigene E-Mail-Adresse.');
    const twice = await clients.bakery.post(employeesPage(), { name: 'Paula Teig', email: 'Paula.Teig@example.de' });
    expect(twice.status).toBe(422);
    expect(twice.$('#email-error').text()).toBe('Diese Person ist bereits als Mitarbeiter eingetragen.');
    expect((await clients.bakery.post(employeesPage(), { name: 'Max Mehl', email: 'max.mehl@example.de' }, { csrf: false })).status).toBe(403);
    expect(await count()).toBe(before);
  });
});

describe("an employee joins through the bakery's invitation", () => {
  it('gets the mail, registers like an invited Bewohner and becomes Gewerbemitarbeiter of the bakery', async () => {
    app.smtp.clear();
    const sent = await clients.bakery.post(employeesPage(), { name: 'Max Mehl', email: 'Max.Mehl@example.de' });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`${employeesPage()}?hinweis=eingeladen`);
    expect((await clients.bakery.get(sent.location!)).$('[role=status]').text()).toBe('Die Einladung wurde per E-Mail versendet.');
    const [audit] = await app.em().find(AuditLog, { action: 'invitation.sent', actorType: 'portal' }, { ...all, orderBy: { createdAt: 'desc' } });
    expect(audit.data).toMatchObject({ kind: 'commercial_employee', companyContactId: bakery.id });

    await app.deliverMail();
    const [mail, ...more] = app.smtp.to('max.mehl@example.de');
    expect(more).toHaveLength(0);
    expect(mail.subject).toBe('Bäckerei Brotzeit GmbH lädt Sie zum Kundenportal der Hausverwaltung Sonnenschein GmbH ein');
    expect(mail.text).toContain('Hallo Max Mehl,');
    expect(mail.text).toContain('für die Liegenschaft Max-Planck-Straße 12');
    const url = new URL(linkIn(mail, '/portal/registrieren?code='));

    const max = app.client();
    const form = await max.get(url.pathname + url.search);
    expect(form.status).toBe(200);
    expect(form.$('main').text()).toContain(
      'Bäckerei Brotzeit GmbH lädt Sie als Gewerbemitarbeiterin oder Gewerbemitarbeiter der Liegenschaft Max-Planck-Straße 12 ein.',
    );
    expect(form.$('input[name=email]').val()).toBe('max.mehl@example.de');
    const code = String(form.$('input[name=code]').val());
    const done = await max.post('/portal/registrieren', { code, email: 'max.mehl@example.de', name: 'Max Mehl', password: PASSWORD, passwordRepeat: PASSWORD });
    expect(done.status).toBe(303);
    // No contact, so no first-login questions.
    expect(done.location).toBe('/portal');

    const user = await app.em().findOneOrFail(PortalUser, { email: 'max.mehl@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.count()).toBe(0);
    const membership = await app.em().findOneOrFail(PortalMembership, { portalUser: user.id }, all);
    expect(membership).toMatchObject({ role: 'commercial_employee', endedAt: null });
    expect(membership.companyContact?.id).toBe(bakery.id);
    expect(membership.property.id).toBe(app.world.properties.maxPlanck.id);

    const home = await max.get(maxPlanck());
    expect(home.$('main').text()).toContain('Ihre Rolle: Gewerbemitarbeiter');
    expect(home.$('main').text()).not.toContain('Gewerbe 01');
    expect(rows(await clients.bakery.get(employeesPage())).some((r) => r.includes('Max Mehl'))).toBe(true);

    // The same link again: used; the demo's code for Lena Mehl works for her.
    const again = await app.client().get(url.pathname + url.search);
    expect(again.status).toBe(422);
    expect(again.$('#code-error').text()).toBe('Dieser Code wurde bereits verwendet.');
    const lena = await app.client().get(`/portal/registrieren?code=${DEMO_EMPLOYEE_CODE}`);
    expect(lena.status).toBe(200);
    expect(lena.$('input[name=email]').val()).toBe('lena.mehl@example.de');
  });

  it('explains an expired link and an address that already has a login', async () => {
    const em = scoped();
    const { code } = newInvitation(
      em,
      {
        organization: app.world.organizations.sonnenschein,
        kind: 'commercial_employee',
        channel: 'email',
        property: app.world.properties.maxPlanck,
        companyContact: bakery,
        email: 'alt@example.de',
      },
      new Date(app.clock.now().getTime() - 400 * 24 * 3600 * 1000),
    );
    await em.flush();
    const expired = await app.client().get(`/portal/registrieren?code=${encodeURIComponent(code)}`);
    expect(expired.status).toBe(422);
    expect(expired.$('#code-error').text()).toBe('Dieser Registrierungscode ist abgelaufen. Bitte fordern Sie bei Ihrer Verwaltung eine neue Einladung an.');

    // Kristina is invited by the bakery too: her address has a login, so she adds the access in her profile.
    app.smtp.clear();
    expect((await clients.bakery.post(employeesPage(), { name: 'Kristina Maiblume', email: 'kristina.maiblume@example.de' })).status).toBe(303);
    await app.deliverMail();
    const [mail] = app.smtp.to('kristina.maiblume@example.de');
    expect(mail.text).toContain('Weiteren Zugang hinzufügen');
    const url = new URL(linkIn(mail, '/portal/registrieren?code='));
    const kristinaCode = String((await app.client().get(url.pathname + url.search)).$('input[name=code]').val());
    const taken = await app.client().post('/portal/registrieren', {
      code: kristinaCode,
      email: 'kristina.maiblume@example.de',
      name: 'Kristina',
      password: PASSWORD,
      passwordRepeat: PASSWORD,
    });
    expect(taken.status).toBe(422);
    expect(taken.$('#email-error').text()).toContain('Mit dieser E-Mail-Adresse ist bereits ein Zugang registriert.');
  });
});

describe('what a Gewerbemitarbeiter sees', () => {
  it("sees the general content and the documents shared with the property or the Gewerbemitarbeiter, never the company's own", async () => {
    expect((await clients.paula.get(`${maxPlanck()}/mitteilungen`)).status).toBe(200);
    expect((await clients.paula.get(`${maxPlanck()}/termine`)).status).toBe(200);
    const documents = await clients.paula.get(`${maxPlanck()}/dokumente`);
    expect(documents.status).toBe(200);
    const text = documents.$('main').text();
    expect(text).toContain('Hausordnung für alle');
    expect(text).toContain('Lieferzeiten Hof');
    expect(text).not.toContain('Mietvertrag Bäckerei');
    expect(text).not.toContain('Nur für Mieter');
    expect((await clients.paula.get(`${maxPlanck()}/dokumente/${docs.company.id}`)).status).toBe(404);
    // The company's own login sees its contract document.
    expect((await clients.bakery.get(`${maxPlanck()}/dokumente`)).$('main').text()).toContain('Mietvertrag Bäckerei');
    // No other property.
    expect((await clients.paula.get(`/portal/liegenschaften/${app.world.properties.rosenweg.id}`)).status).toBe(404);
  });

  it('sees the Schwarzes Brett only while "Zugriff für Gewerbemitarbeiter auf die Schwarze Brett-Funktionalität" is on', async () => {
    const board = `${maxPlanck()}/schwarzes-brett`;
    await settings({ commercialBulletinEnabled: false });
    expect((await clients.paula.get(board)).status).toBe(404);
    expect((await clients.paula.get(maxPlanck())).$(`nav.portalnav a[href="${board}"]`)).toHaveLength(0);
    // The company's own login is a tenant: the switch is not about it.
    expect((await clients.bakery.get(board)).status).toBe(200);
    await settings({ commercialBulletinEnabled: true });
    expect((await clients.paula.get(board)).status).toBe(200);
    expect((await clients.paula.get(maxPlanck())).$(`nav.portalnav a[href="${board}"]`)).toHaveLength(1);
    await settings({ commercialBulletinEnabled: false });
  });
});

describe("staff on the contact's page", () => {
  const contactPage = () => `/verwaltung/kontakte/${bakery.id}`;

  it('see the employees and invite one; a contact without a commercial tenancy has nothing to invite (404)', async () => {
    const page = await clients.manager.get(contactPage());
    const section = page.$('#gewerbemitarbeiter');
    expect(section.find('h2').text()).toBe('Gewerbemitarbeiter');
    expect(section.text()).toContain('Paula Teig');
    const bad = await clients.manager.post(`${contactPage()}/mitarbeiter`, { name: 'Eva Ofen', email: 'nein' });
    expect(bad.status).toBe(422);
    expect(bad.$('#employee-email-error').text()).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein.');
    expect(bad.$('#employee-name').val()).toBe('Eva Ofen');

    app.smtp.clear();
    const sent = await clients.manager.post(`${contactPage()}/mitarbeiter`, { name: 'Eva Ofen', email: 'eva.ofen@example.de' });
    expect(sent.status).toBe(303);
    expect((await clients.manager.get(sent.location!)).$('[role=status]').text()).toBe('Die Einladung an eva.ofen@example.de wurde versendet.');
    await app.deliverMail();
    expect(app.smtp.to('eva.ofen@example.de')).toHaveLength(1);
    const [audit] = await app.em().find(AuditLog, { action: 'invitation.sent', subjectId: bakery.id }, all);
    expect(audit).toMatchObject({ actorType: 'staff', actorId: app.world.staff.manager.id });

    const kristina = `/verwaltung/kontakte/${app.world.contacts.kristina.id}`;
    expect((await clients.manager.get(kristina)).$('#gewerbemitarbeiter')).toHaveLength(0);
    expect((await clients.manager.post(`${kristina}/mitarbeiter`, { name: 'Eva Ofen', email: 'eva2@example.de' })).status).toBe(404);
    // Another Verwaltung finds neither the contact nor the employee.
    expect((await clients.nord.post(`${contactPage()}/mitarbeiter`, { name: 'Eva Ofen', email: 'eva3@example.de' })).status).toBe(404);
    expect((await clients.nord.post(`${contactPage()}/mitarbeiter/${paulaMembership.id}/entfernen`)).status).toBe(404);
    // An employee of one contact is not found through another.
    expect((await clients.manager.post(`${kristina}/mitarbeiter/${paulaMembership.id}/entfernen`)).status).toBe(404);
    expect(await app.em().count(Invitation, { email: { $in: ['eva2@example.de', 'eva3@example.de'] } }, all)).toBe(0);
  });
});

describe('removing an employee', () => {
  it("ends the membership at once: the company's list drops them, their access and session end, the audit log says who", async () => {
    expect((await clients.paula.get(maxPlanck())).status).toBe(200);
    const answer = await clients.bakery.post(`${employeesPage()}/${paulaMembership.id}/entfernen`);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${employeesPage()}?hinweis=entfernt`);
    const after = await clients.bakery.get(answer.location!);
    expect(after.$('[role=status]').text()).toBe('Der Zugang wurde beendet.');
    expect(rows(after).some((r) => r.includes('Paula Teig'))).toBe(false);
    expect((await app.em().findOneOrFail(PortalMembership, paulaMembership.id, { ...all, refresh: true })).endedAt).not.toBeNull();
    // Her only property: the session ends with it.
    expect(await app.em().count(Session, { portalUser: paula.id }, all)).toBe(0);
    expect((await clients.paula.get(maxPlanck())).location).toMatch(/^\/portal\/anmelden/);
    const [audit] = await app.em().find(AuditLog, { action: 'portal_membership.ended' }, all);
    expect(audit).toMatchObject({ actorType: 'portal' });
    expect(audit.data).toMatchObject({ portalUserId: paula.id, companyContactId: bakery.id });
    // Twice: nothing to find.
    expect((await clients.bakery.post(`${employeesPage()}/${paulaMembership.id}/entfernen`)).status).toBe(404);
  });

  it("staff remove one from the contact's page", async () => {
    const max = await app.em().findOneOrFail(PortalMembership, { portalUser: { email: 'max.mehl@example.de' } }, all);
    const answer = await clients.manager.post(`/verwaltung/kontakte/${bakery.id}/mitarbeiter/${max.id}/entfernen`);
    expect(answer.status).toBe(303);
    expect((await app.em().findOneOrFail(PortalMembership, max.id, { ...all, refresh: true })).endedAt).not.toBeNull();
    const [audit] = await app.em().find(AuditLog, { action: 'portal_membership.ended', actorType: 'staff' }, all);
    expect(audit.subjectId).toBe(max.portalUser.id);
  });
});

describe("when the company's tenancy ends", () => {
  it('its employees lose access, it invites no one, and its open invitations no longer hold', async () => {
    const em = scoped();
    const now = app.clock.now();
    const organization = app.world.organizations.sonnenschein;
    const { hashPassword } = await import('../../src/auth/password.ts');
    const otto = em.create(PortalUser, {
      organization,
      email: 'otto.ofen@example.de',
      name: 'Otto Ofen',
      passwordHash: await hashPassword(PASSWORD),
      createdAt: now,
      onboardedAt: now,
    });
    em.create(PortalMembership, {
      organization,
      portalUser: otto,
      property: app.world.properties.maxPlanck,
      role: 'commercial_employee',
      companyContact: bakery,
      createdAt: now,
    });
    await em.flush();
    const ottoClient = await portalClient('otto.ofen@example.de', PASSWORD);
    expect((await ottoClient.get(maxPlanck())).status).toBe(200);
    const lena = await app.client().get(`/portal/registrieren?code=${DEMO_EMPLOYEE_CODE}`);
    const lenaCode = String(lena.$('input[name=code]').val());

    const contract = await em.findOneOrFail(Contract, { contacts: bakery.id });
    contract.endsOn = addDays(berlinDate(now), -1);
    await em.flush();

    expect((await ottoClient.get(maxPlanck())).status).toBe(404);
    expect((await clients.bakery.get(employeesPage())).status).toBe(404);
    const withdrawn = await app.client().post('/portal/registrieren', {
      code: lenaCode,
      email: 'lena.mehl@example.de',
      name: 'Lena Mehl',
      password: PASSWORD,
      passwordRepeat: PASSWORD,
    });
    expect(withdrawn.status).toBe(422);
    expect(withdrawn.$('#code-error').text()).toContain('Diese Einladung gilt nicht mehr');
    expect(await app.em().count(PortalUser, { email: 'lena.mehl@example.de' }, all)).toBe(0);
  });
});
