import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addDays, berlinDate } from '../../src/clock.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, Contact, Contract, Organization, PortalAccessGrant, PortalMembership, PortalUser, Property, Session } from '../../src/entities/index.ts';
import { bookingsOpen, commercialBulletinOpen, communityOpen, directMessagesOpen, neighbourProfileOpen } from '../../src/features/portal-settings/switches.ts';
import { applyAccessWindows } from '../../src/features/access/windows.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * Administration > Kundenportal > Rollen & Zugriffsrechte and the access-window job
 * (src/features/access/windows.ts): windows open and close with the days, sessions end with
 * the last access, every change is audited once, and general content stays with active contracts.
 */
let app: TestApp;
let admin: Client;
const DAY = 24 * 3600 * 1000;
const ROLES_PAGE = '/verwaltung/administration/kundenportal/rollen-zugriffsrechte';
const SETTINGS_PAGE = '/verwaltung/administration/kundenportal/einstellungen';
const all = { filters: { tenant: false } } as const;

let leaving: PortalUser; // Lena Auszug: her tenancy in Max-Planck-Straße 12 ends today
let future: PortalUser; // Felix Vorfreude: his tenancy there starts in 10 days

beforeAll(async () => {
  app = await startTestApp();
  const today = berlinDate(app.clock.now());
  leaving = await resident('lena.auszug@example.de', 'Auszug', addDays(today, -400), today);
  future = await resident('felix.vorfreude@example.de', 'Vorfreude', addDays(today, 10), null);
});
afterAll(() => app?.close());
// The tests move the clock by days, past the staff session's idle limit.
beforeEach(async () => {
  admin = app.client();
  await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});

/** A registered tenant of Wohnung 002, Max-Planck-Straße 12, with a contract of the given period. */
async function resident(email: string, lastName: string, startsOn: string, endsOn: string | null) {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
  const now = app.clock.now();
  const contact = em.create(Contact, { organization, lastName, email, createdAt: now, updatedAt: now });
  em.create(Contract, { organization, kind: 'rental', unit: app.world.units.wohnung002.id, contacts: [contact], startsOn, endsOn, createdAt: now });
  const user = em.create(PortalUser, {
    organization,
    email,
    name: lastName,
    passwordHash: await hashPassword(app.world.password),
    createdAt: now,
    onboardedAt: now,
    contacts: [contact],
  });
  await em.flush();
  return user;
}

const grantsOf = async (user: PortalUser) => (await app.em().find(PortalAccessGrant, { portalUser: user.id }, all)).map((g) => g.property.id);
const auditOf = (action: string, subjectId?: string) =>
  app.em().find(AuditLog, { action, ...(subjectId ? { subjectId } : {}) }, { ...all, orderBy: { createdAt: 'asc', id: 'asc' } });
const organization = () => app.em().findOneOrFail(Organization, app.world.organizations.sonnenschein.id);
const maxPlanck = () => app.world.properties.maxPlanck.id;

/** The Community and Buchungen switches as the demo seeds them, so a save of other settings leaves them alone. */
const communityAsSeeded = () => ({
  bookingsEnabled: 'on',
  communityEnabled: 'on',
  directMessagesEnabled: 'on',
  neighbourProfileEnabled: 'on',
  communityEnabledProperties: [maxPlanck()],
  bookingsEnabledProperties: [maxPlanck()],
});
const settingsChanged = { faqEnabled: 'on', neighbourInvitesEnabled: 'on', askContactPreference: 'on', askResidentQuestion: 'on', invitationValidDays: '14' };

/** The ids of the Sonnenschein properties chosen for a per-property switch. */
async function chosen(name: 'communityEnabled' | 'bookingsEnabled') {
  const rows = await app.em().find(Property, { organization: app.world.organizations.sonnenschein, [name]: true }, all);
  return rows.map((p) => p.id).toSorted();
}

async function loggedIn(email: string) {
  const client = app.client();
  await client.loginPortal(email, app.world.password);
  return client;
}

/** Saves Rollen & Zugriffsrechte as an admin would; switches are on when given. */
function saveWindows(fields: { pre?: string; post?: string }) {
  return admin.post(ROLES_PAGE, {
    ...(fields.pre !== undefined ? { preContractAccessEnabled: 'on', preContractAccessDays: fields.pre } : { preContractAccessDays: '' }),
    ...(fields.post !== undefined ? { postContractAccessEnabled: 'on', postContractAccessDays: fields.post } : { postContractAccessDays: '' }),
  });
}

describe('Rollen & Zugriffsrechte', () => {
  it('shows both switches with their periods, the Hinweis and what each role sees, under Administration > Kundenportal', async () => {
    const page = await admin.get(ROLES_PAGE);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Rollen & Zugriffsrechte');
    expect(page.$('.admin-nav a[aria-current=page]').text()).toBe('Rollen & Zugriffsrechte');
    expect(
      page
        .$('.admin-nav a')
        .map((_, a) => page.$(a).text())
        .get(),
    ).toEqual([
      'Mitarbeiter',
      'Dokumententypen',
      'Vorgangsthemen',
      'Anmeldung',
      'API-Schlüssel',
      'Einstellungen',
      'Rollen & Zugriffsrechte',
      'Benachrichtigungen',
      'Erscheinungsbild',
      'Impressum & Datenschutz',
    ]);
    // The demo Verwaltung has both windows on (30 and 60 days).
    expect(page.$('#window-pre legend').text()).toBe('Vorvertraglicher Zugang');
    expect(page.$('#setting-preContractAccessEnabled').attr('role')).toBe('switch');
    expect(page.$('#setting-preContractAccessEnabled').is('[checked]')).toBe(true);
    expect(page.$('label[for=setting-preContractAccessDays]').text()).toBe('Zeitraum (in Tagen)');
    expect(page.$('#setting-preContractAccessDays').val()).toBe('30');
    expect(page.$('#window-post legend').text()).toBe('Zugang nach Vertragsende');
    expect(page.$('#setting-postContractAccessDays').val()).toBe('60');
    expect(page.$('#window-post .setting-note').text()).toContain('Die Aktivierung des Zugangs nach Vertragsende wird sofort wirksam.');
    const row = (role: string) =>
      page
        .$(`#role-${role} > *`)
        .map((_, c) => page.$(c).text())
        .get();
    expect(row('tenant')).toEqual(['Mieter', 'Ja', 'Ja', 'Nur persönlich geteilte Inhalte, wenn der Zeitraum aktiviert ist']);
    expect(row('resident')).toEqual(['Bewohner', 'Ja', 'Nein', 'Entfällt (kein Vertrag)']);
    expect(page.$('.roles-table tbody tr')).toHaveLength(5);
  });

  it('refuses a missing or out-of-range period while its switch is on: 422, form kept, nothing saved', async () => {
    const before = await organization();
    for (const [fields, field] of [
      [{ preContractAccessEnabled: 'on', preContractAccessDays: '' }, 'preContractAccessDays'],
      [{ postContractAccessEnabled: 'on', postContractAccessDays: '731' }, 'postContractAccessDays'],
      [{ postContractAccessEnabled: 'on', postContractAccessDays: '0' }, 'postContractAccessDays'],
      [{ preContractAccessEnabled: 'on', preContractAccessDays: '2 Wochen' }, 'preContractAccessDays'],
    ] as const) {
      const page = await admin.post(ROLES_PAGE, fields);
      expect(page.status).toBe(422);
      expect(page.$(`#${field}-error`).text()).toBe('Bitte geben Sie einen Zeitraum von 1 bis 730 Tagen ein, solange der Schalter aktiviert ist.');
      expect(page.$(`#setting-${field}`).attr('aria-invalid')).toBe('true');
      expect(page.$(`#setting-${field}`).val()).toBe(Object.values(fields)[1]);
    }
    expect(await organization()).toMatchObject({
      preContractAccessEnabled: before.preContractAccessEnabled,
      preContractAccessDays: before.preContractAccessDays,
      postContractAccessEnabled: before.postContractAccessEnabled,
      postContractAccessDays: before.postContractAccessDays,
    });
    expect(await auditOf('portal_settings.changed')).toHaveLength(0);
  });

  it('saves both switched off (the periods may stay empty), audits the change and applies it at once', async () => {
    const answer = await saveWindows({});
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${ROLES_PAGE}?gespeichert=1`);
    const page = await admin.get(answer.location!);
    expect(page.$('[role=status]').text()).toBe('Gespeichert.');
    expect(page.$('#setting-postContractAccessEnabled').is('[checked]')).toBe(false);
    expect(page.$('#setting-postContractAccessDays').val()).toBe('60');

    const [changed] = await auditOf('portal_settings.changed');
    expect(changed).toMatchObject({ actorType: 'staff', actorId: app.world.staff.manager.id });
    expect(changed.data).toEqual({ changes: { preContractAccessEnabled: { from: true, to: false }, postContractAccessEnabled: { from: true, to: false } } });
    // The job ran for this Verwaltung: every registered user with access now holds a grant.
    expect(await grantsOf(leaving)).toEqual([maxPlanck()]);
    expect(await grantsOf(future)).toEqual([]);
    expect((await grantsOf(app.world.portalUsers.eigner)).sort()).toEqual([maxPlanck(), app.world.properties.rosenweg.id].sort());
    const [granted] = await auditOf('portal_access.granted', leaving.id);
    expect(granted).toMatchObject({ actorType: 'system', subjectType: 'PortalUser', data: { propertyId: maxPlanck(), reason: 'contract' } });
    // Only this Verwaltung was looked at.
    expect(await grantsOf(app.world.portalUsers.frieda)).toEqual([]);
  });
});

describe('the access-window job', () => {
  let lena: Client;
  let frieda: Client;

  it('ends the access of a tenant whose contract ended yesterday: grant gone, audited, session ended', async () => {
    lena = await loggedIn('lena.auszug@example.de');
    frieda = await loggedIn('frieda.friesen@example.de');
    expect((await lena.get(`/portal/liegenschaften/${maxPlanck()}`)).status).toBe(200);

    app.clock.advance(DAY);
    expect(await app.runTask('access-windows')).toBe(true);

    expect(await grantsOf(leaving)).toEqual([]);
    expect((await auditOf('portal_access.revoked', leaving.id)).map((a) => a.data)).toEqual([{ propertyId: maxPlanck(), reason: 'no_longer_entitled' }]);
    expect(await auditOf('portal_access.ended', leaving.id)).toHaveLength(1);
    expect(await app.em().count(Session, { portalUser: leaving.id })).toBe(0);
    const page = await lena.get('/portal');
    expect(page.status).toBe(303);
    expect(page.location).toMatch(/^\/portal\/anmelden/);
    // The other Verwaltung's resident got her grant from the scheduled run and kept her session.
    expect(await grantsOf(app.world.portalUsers.frieda)).toEqual([app.world.properties.hafenstrasse.id]);
    expect((await frieda.get('/portal')).status).toBe(303); // one property: redirect to it, not to the login
    expect((await frieda.get('/portal')).location).toBe(`/portal/liegenschaften/${app.world.properties.hafenstrasse.id}`);
  });

  it('changes and writes nothing when run again', async () => {
    const before = { audit: await app.em().count(AuditLog, {}, all), grants: await app.em().count(PortalAccessGrant, {}, all) };
    expect(await app.runTask('access-windows')).toBe(true);
    expect(await applyAccessWindows(app.em(), app.clock.now())).toEqual({ granted: 0, revoked: 0, ended: 0 });
    expect({ audit: await app.em().count(AuditLog, {}, all), grants: await app.em().count(PortalAccessGrant, {}, all) }).toEqual(before);
  });

  it('also ends the session of someone who registered after the last run and lost access before the next (never held a grant)', async () => {
    const nora = await resident('nora.kurz@example.de', 'Kurz', addDays(berlinDate(app.clock.now()), -30), berlinDate(app.clock.now()));
    const client = await loggedIn('nora.kurz@example.de');
    expect(await grantsOf(nora)).toEqual([]);
    app.clock.advance(DAY);
    await app.runTask('access-windows');
    expect(await app.em().count(Session, { portalUser: nora.id }, all)).toBe(0);
    expect((await auditOf('portal_access.ended', nora.id)).map((a) => a.data)).toEqual([{ sessionsEnded: true }]);
    expect(await auditOf('portal_access.revoked', nora.id)).toEqual([]);
    expect((await client.get('/portal')).location).toMatch(/^\/portal\/anmelden/);
    // Idempotent here too: nothing more to end.
    expect(await applyAccessWindows(app.em(), app.clock.now())).toEqual({ granted: 0, revoked: 0, ended: 0 });
  });

  it('gives access back at once when "Zugang nach Vertragsende" is switched on, but only to what is shared with her personally', async () => {
    expect((await saveWindows({ post: '30' })).status).toBe(303);
    expect(await grantsOf(leaving)).toEqual([maxPlanck()]);
    const granted = await auditOf('portal_access.granted', leaving.id);
    expect(granted.at(-1)!.data).toEqual({ propertyId: maxPlanck(), reason: 'access_window' });

    lena = await loggedIn('lena.auszug@example.de');
    const start = await lena.get(`/portal/liegenschaften/${maxPlanck()}`);
    expect(start.status).toBe(200);
    const note = 'Ihr Vertrag hat noch nicht begonnen oder ist beendet. Sie sehen hier nur Inhalte, die persönlich mit Ihnen geteilt wurden.';
    expect(start.$('#personal-only').text()).toBe(note);
    expect(start.$('#start-announcements, #start-appointments, #start-bulletin')).toHaveLength(0);
    for (const section of ['mitteilungen', 'termine', 'schwarzes-brett']) {
      const list = await lena.get(`/portal/liegenschaften/${maxPlanck()}/${section}`);
      expect(list.status, section).toBe(200);
      expect(list.$('#personal-only').text()).toBe(note);
      expect(list.$('article, .appointment-item')).toHaveLength(0);
    }
    // Service information stays: Ansprechpartner and FAQ.
    expect((await lena.get(`/portal/liegenschaften/${maxPlanck()}/ansprechpartner`)).$('#personal-only')).toHaveLength(0);
    expect((await lena.get(`/portal/liegenschaften/${maxPlanck()}/fragen`)).status).toBe(200);

    // Kristina, whose tenancy runs, still sees the start page with its sections.
    const kristina = await loggedIn('kristina.maiblume@example.de');
    const hers = await kristina.get(`/portal/liegenschaften/${maxPlanck()}`);
    expect(hers.$('#personal-only')).toHaveLength(0);
    expect(hers.$('#start-announcements')).toHaveLength(1);
  });

  it('hides the details and downloads of general content from her (404) and mails her no Mitteilung', async () => {
    await app.deliverMail();
    app.smtp.clear();
    const created = await admin.postMultipart('/verwaltung/mitteilungen', {
      title: 'Wasser abgestellt',
      body: 'Am Montag.',
      propertyIds: maxPlanck(),
      action: 'publish',
    });
    expect(created.status).toBe(303);
    const id = created.location!.match(/mitteilungen\/([0-9a-f-]{36})/)![1];
    await app.deliverMail();
    const recipients = app.smtp.messages.flatMap((m) => m.to);
    expect(recipients).toContain('kristina.maiblume@example.de');
    expect(recipients).not.toContain('lena.auszug@example.de');

    expect((await lena.get(`/portal/liegenschaften/${maxPlanck()}/mitteilungen/${id}`)).status).toBe(404);
    const kristina = await loggedIn('kristina.maiblume@example.de');
    expect((await kristina.get(`/portal/liegenschaften/${maxPlanck()}/mitteilungen/${id}`)).status).toBe(200);
  });

  it('leaves Termine out of her calendar subscription; Kristina still gets them', async () => {
    const feedOf = async (client: Client) => {
      const page = await client.post('/portal/kalender-abo', { propertyId: maxPlanck() });
      const url = new URL(String(page.$('#subscription-url').val()));
      return (await fetch(new URL(url.pathname, app.baseUrl))).text();
    };
    expect(await feedOf(lena)).not.toContain('BEGIN:VEVENT');
    expect(await feedOf(await loggedIn('kristina.maiblume@example.de'))).toContain('BEGIN:VEVENT');
  });

  it('opens the pre-contract window of a tenancy starting in 9 days when 14 days are set', async () => {
    expect(await grantsOf(future)).toEqual([]);
    expect((await saveWindows({ pre: '14', post: '30' })).status).toBe(303);
    expect(await grantsOf(future)).toEqual([maxPlanck()]);
    expect((await auditOf('portal_access.granted', future.id)).map((a) => a.data)).toEqual([{ propertyId: maxPlanck(), reason: 'access_window' }]);
    const felix = await loggedIn('felix.vorfreude@example.de');
    expect((await felix.get(`/portal/liegenschaften/${maxPlanck()}/termine`)).$('#personal-only')).toHaveLength(1);
    // When the tenancy starts, general content reaches him; the grant stays and nothing new is audited.
    app.clock.advance(9 * DAY);
    await app.runTask('access-windows');
    expect(await auditOf('portal_access.granted', future.id)).toHaveLength(1);
    expect((await felix.get(`/portal/liegenschaften/${maxPlanck()}/termine`)).$('#personal-only')).toHaveLength(0);
  });

  it('writes each change once when two instances run it at the same moment', async () => {
    // A Bewohner membership appears (invited by a neighbour): one grant, one audit row.
    const em = app.em();
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const now = app.clock.now();
    const bewohner = em.create(PortalUser, {
      organization: app.world.organizations.sonnenschein.id,
      email: 'bea.bewohner@example.de',
      name: 'Bea Bewohner',
      passwordHash: await hashPassword(app.world.password),
      createdAt: now,
      onboardedAt: now,
    });
    em.create(PortalMembership, {
      organization: app.world.organizations.sonnenschein.id,
      portalUser: bewohner,
      property: maxPlanck(),
      role: 'resident',
      createdAt: now,
    });
    await em.flush();

    const runs = await Promise.all([applyAccessWindows(app.em(), now), applyAccessWindows(app.em(), now)]);
    expect(runs[0].granted + runs[1].granted).toBe(1);
    expect(await auditOf('portal_access.granted', bewohner.id)).toHaveLength(1);
    expect((await auditOf('portal_access.granted', bewohner.id))[0].data).toEqual({ propertyId: maxPlanck(), reason: 'membership' });
  });
});

describe('Einstellungen', () => {
  it('shows the switches by section, labelled, with the help texts of the article', async () => {
    const page = await admin.get(SETTINGS_PAGE);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Einstellungen');
    expect(
      page
        .$('.settings-form > fieldset > legend')
        .map((_, l) => page.$(l).text())
        .get(),
    ).toEqual(['Service', 'Community', 'Registrierung', 'Nutzerfragen']);
    // Seed 001's Community switches, in the article's order.
    expect(
      page
        .$('#group-community .switch-field label')
        .map((_, l) => page.$(l).text())
        .get(),
    ).toEqual([
      'Direktnachrichten (Chatfunktion)',
      'Community-Bereich',
      'Zugriff für Gewerbemitarbeiter auf die „Schwarze Brett“-Funktionalität',
      'Nachbarschaftsprofil',
      'Nachbarn einladen',
    ]);
    const labels = page
      .$('#group-userQuestions .switch-field label')
      .map((_, l) => page.$(l).text())
      .get();
    expect(labels).toEqual([
      'Standard Kontaktweg Online',
      'Präferierter Kontaktweg',
      'Bewohnerfrage',
      'Kontaktdaten bestätigen',
      'Nutzer zum Kontakt hinzufügen',
    ]);
    for (const input of page.$('.switch-field input[type=checkbox]').toArray()) {
      expect(page.$(input).attr('role')).toBe('switch');
      expect(page.$(`label[for=${page.$(input).attr('id')}]`)).toHaveLength(1);
    }
    expect(page.$('#setting-residentsMayAddUsers-help').text()).toContain('Portalnutzer dürfen weitere Personen zu ihrem Kontakt einladen');
    expect(page.$('#setting-neighbourInvitesEnabled-help .setting-note').text()).toContain(
      'Nutzer mit dem Status Bewohner haben nur Zugriff auf allgemeine Dokumente',
    );
    // A Hinweis only where the article has one.
    expect(
      page
        .$('.setting-note')
        .map((_, n) => page.$(n).closest('.switch-field').find('label').text())
        .get(),
    ).toEqual(['Nachbarn einladen', 'Vertragsnummer bei Registrierung bestätigen', 'Präferierter Kontaktweg']);
    expect(page.$('#setting-faqEnabled').is('[checked]')).toBe(true);
    expect(page.$('#setting-invitationValidDays').val()).toBe('30');
    expect(page.$('label[for=setting-invitationValidDays]').text()).toBe('Gültigkeit von Einladungscodes in Tagen');
  });

  it('saves what was switched, audits it from → to, and says "Gespeichert"', async () => {
    // Unchecked boxes are not sent by a browser: everything not named here is switched off.
    const answer = await admin.post(SETTINGS_PAGE, { ...communityAsSeeded(), ...settingsChanged });
    expect(answer.status).toBe(303);
    expect((await admin.get(answer.location!)).$('[role=status]').text()).toBe('Gespeichert.');
    expect(await organization()).toMatchObject({
      faqEnabled: true,
      neighbourInvitesEnabled: true,
      confirmContractNumber: false,
      defaultContactPreferenceOnline: false,
      askContactPreference: true,
      askResidentQuestion: true,
      askContactDataConfirmation: false,
      residentsMayAddUsers: false,
      invitationValidDays: 14,
    });
    // Rows of one fixed test clock share their time: this save's row is the one that changed the validity.
    const changed = (await auditOf('portal_settings.changed')).find((row) => row.data && 'invitationValidDays' in (row.data.changes as object))!;
    expect(changed.data).toEqual({
      changes: {
        neighbourInvitesEnabled: { from: false, to: true },
        defaultContactPreferenceOnline: { from: true, to: false },
        askResidentQuestion: { from: false, to: true },
        invitationValidDays: { from: 30, to: 14 },
      },
    });
    // Saving the same again changes nothing and writes no audit row.
    const count = (await auditOf('portal_settings.changed')).length;
    await admin.post(SETTINGS_PAGE, { ...communityAsSeeded(), ...settingsChanged });
    expect(await auditOf('portal_settings.changed')).toHaveLength(count);
  });

  it('chooses the properties of the Community-Bereich and of Buchungen, searchable, audited, and refuses a property of another Verwaltung', async () => {
    const page = await admin.get(SETTINGS_PAGE);
    // The demo chose Max-Planck-Straße 12 for both; the other properties are offered unticked.
    expect(page.$(`#choice-communityEnabled input[name=communityEnabledProperties][value=${maxPlanck()}]`).is('[checked]')).toBe(true);
    expect(page.$(`#found-communityEnabled label`).text()).toContain('Rosenweg 24');
    expect(page.$(`#found-communityEnabled input[value=${maxPlanck()}]`)).toHaveLength(0);
    // The search (live through htmx, or as its own form without JavaScript) narrows the candidates.
    const found = await admin.get(`${SETTINGS_PAGE}?fuer=communityEnabled&q=rosen`);
    expect(
      found
        .$('#found-communityEnabled label')
        .map((_, l) => found.$(l).text())
        .get(),
    ).toEqual(['Rosenweg 24']);
    expect(found.$('#found-bookingsEnabled label').text()).toContain('TESTLIEGENSCHAFT');

    const rosenweg = app.world.properties.rosenweg.id;
    const saved = await admin.post(SETTINGS_PAGE, {
      ...communityAsSeeded(),
      ...settingsChanged,
      communityEnabledProperties: [maxPlanck(), rosenweg],
      bookingsEnabledProperties: [],
    });
    expect(saved.status).toBe(303);
    expect(await chosen('communityEnabled')).toEqual([maxPlanck(), rosenweg].toSorted());
    expect(await chosen('bookingsEnabled')).toEqual([]);
    // Rows of one fixed test clock share their time: the row of this save is the one with the property choices.
    const choiceRows = (await auditOf('portal_settings.changed')).filter((row) => row.data && 'communityEnabledProperties' in (row.data.changes as object));
    expect(choiceRows).toHaveLength(1);
    expect(choiceRows[0].data).toMatchObject({
      changes: {
        bookingsEnabledProperties: { from: [maxPlanck()], to: [] },
        communityEnabledProperties: { from: [maxPlanck()], to: [maxPlanck(), rosenweg].toSorted() },
      },
    });

    // A property of another Verwaltung (or no property at all): 422 at the field, nothing saved.
    const nordhaus = await app.em().findOneOrFail(Organization, { name: { $like: 'Nordhaus%' } });
    const foreign = (await app.em().findOneOrFail(Property, { organization: nordhaus }, all)).id;
    for (const id of [foreign, 'kein-id']) {
      const refused = await admin.post(SETTINGS_PAGE, { ...communityAsSeeded(), ...settingsChanged, communityEnabledProperties: [maxPlanck(), id] });
      expect(refused.status).toBe(422);
      expect(refused.$('#communityEnabledProperties-error').text()).toBe(
        'Diese Liegenschaft gibt es in Ihrer Verwaltung nicht. Bitte wählen Sie aus der Liste.',
      );
      expect(refused.$('#setting-communityEnabled').is('[checked]')).toBe(true);
    }
    expect(await chosen('communityEnabled')).toEqual([maxPlanck(), rosenweg].toSorted());
    expect(await app.em().count(Property, { organization: nordhaus, communityEnabled: true }, all)).toBe(0);
  });

  it('opens the community and the bookings only where the Verwaltung switch and the property choice are both on', () => {
    const on = { communityEnabled: true, bookingsEnabled: true, directMessagesEnabled: true, neighbourProfileEnabled: true, commercialBulletinEnabled: true };
    const chosenProperty = { communityEnabled: true, bookingsEnabled: true };
    const other = { communityEnabled: false, bookingsEnabled: false };
    expect([
      communityOpen(on, chosenProperty),
      bookingsOpen(on, chosenProperty),
      directMessagesOpen(on, chosenProperty),
      neighbourProfileOpen(on, chosenProperty),
    ]).toEqual([true, true, true, true]);
    expect([communityOpen(on, other), bookingsOpen(on, other), directMessagesOpen(on, other), neighbourProfileOpen(on, other)]).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const off = { ...on, communityEnabled: false, bookingsEnabled: false };
    expect([communityOpen(off, chosenProperty), bookingsOpen(off, chosenProperty), directMessagesOpen(off, chosenProperty)]).toEqual([false, false, false]);
    expect(directMessagesOpen({ ...on, directMessagesEnabled: false }, chosenProperty)).toBe(false);
    expect(commercialBulletinOpen({ commercialBulletinEnabled: false })).toBe(false);
  });

  it('refuses a validity outside 1–365 days: 422 with the message next to the field, switches as submitted, nothing saved', async () => {
    for (const value of ['0', '366', '', 'dreißig']) {
      const page = await admin.post(SETTINGS_PAGE, { confirmContractNumber: 'on', invitationValidDays: value });
      expect(page.status).toBe(422);
      expect(page.$('#invitationValidDays-error').text()).toBe('Bitte geben Sie eine ganze Zahl von 1 bis 365 ein.');
      expect(page.$('#setting-invitationValidDays').val()).toBe(value);
      expect(page.$('#setting-confirmContractNumber').is('[checked]')).toBe(true);
      expect(page.$('#setting-faqEnabled').is('[checked]')).toBe(false);
    }
    expect(await organization()).toMatchObject({ confirmContractNumber: false, faqEnabled: true, invitationValidDays: 14 });
  });

  it('is for admins only', async () => {
    const clerk = app.client();
    await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    expect((await clerk.get(SETTINGS_PAGE)).status).toBe(403);
    expect((await clerk.post(ROLES_PAGE, { postContractAccessEnabled: 'on', postContractAccessDays: '5' })).status).toBe(403);
  });
});
