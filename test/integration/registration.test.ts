import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, Contact, Contract, Invitation, Organization, PortalUser, type InvitationKind } from '../../src/entities/index.ts';
import { createInvitation } from '../../src/features/invitations/codes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

let app: TestApp;
/** Demo contacts by last name: those of the shared world plus two more tenants without a login. */
let contacts: TestApp['world']['contacts'] & { becker: Contact; wagner: Contact };
beforeAll(async () => {
  app = await startTestApp();
  const byName = (lastName: string) => app.em().findOneOrFail(Contact, { lastName }, { filters: { tenant: false } });
  contacts = { ...app.world.contacts, becker: await byName('Becker'), wagner: await byName('Wagner') };
});
afterAll(() => app?.close());

const REGISTER = '/portal/registrieren';
const PASSWORD = 'Sonnenblume-2026';
const all = { filters: { tenant: false } } as const;

/** The first-login questions off, so each test switches on what it is about. */
const QUESTIONS_OFF = {
  askResidentQuestion: false,
  askContactDataConfirmation: false,
  askContactPreference: false,
  confirmContractNumber: false,
  residentsMayAddUsers: false,
};

/** Changes Sonnenschein's portal settings (the settings pages are another part of this issue). */
async function settings(patch: Partial<Organization>) {
  await app.em().nativeUpdate(Organization, { id: app.world.organizations.sonnenschein.id }, patch);
  app.forgetCaches();
}

/** An invitation as the console would create it; returns the code in clear. */
async function invite(contactId: string, options: { kind?: InvitationKind; email?: string | null; now?: Date } = {}) {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  const organization = await em.findOneOrFail(Organization, { id: app.world.organizations.sonnenschein.id });
  const contact = await em.findOneOrFail(Contact, { id: contactId });
  const { code } = await createInvitation(
    em,
    {
      organization,
      kind: options.kind ?? 'contact',
      channel: options.email === null ? 'letter' : 'email',
      contact,
      email: options.email === undefined ? contact.email : options.email,
    },
    options.now ?? app.clock.now(),
  );
  await em.flush();
  return code;
}

const countUsers = () => app.em().count(PortalUser, {}, all);

let ipCounter = 0;
/** A browser with an address of its own, so the code throttle of one test does not reach another. */
function browser(): Client {
  const client = app.client();
  client.ip = `203.0.113.${++ipCounter}`;
  return client;
}

function registration(code: string, fields: Partial<Record<'email' | 'name' | 'password' | 'passwordRepeat' | 'contractNumber', string>> = {}) {
  return { code, name: 'Neue Nutzerin', password: PASSWORD, passwordRepeat: PASSWORD, ...fields };
}

const errorOf = (page: Page, field: string) => page.$(`#${field}-error`).text();

beforeEach(() => settings(QUESTIONS_OFF));

describe('the link from the invitation', () => {
  it('asks for the code when there is none, and pre-fills code, e-mail and name from a link', async () => {
    const empty = await browser().get(REGISTER);
    expect(empty.status).toBe(200);
    expect(empty.$('h1').text()).toBe('Registrierung im Kundenportal');
    expect(empty.$('form').attr('method')).toBe('get');
    expect(empty.$('label[for=code]').text()).toBe('Registrierungscode');
    expect(empty.$('input[name=password]')).toHaveLength(0);

    const code = await invite(contacts.becker.id);
    const page = await browser().get(`${REGISTER}?code=${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    const form = page.$('form[method=post]');
    expect(form.attr('action')).toBe(REGISTER);
    expect(form.find('input[name=code]').val()).toBe(code);
    expect(form.find('input[name=email]').val()).toBe('jonas.becker@example.de');
    expect(form.find('input[name=name]').val()).toBe('Jonas Becker');
    expect(form.find('input[name=_csrf]')).toHaveLength(1);
    for (const label of ['Registrierungscode', 'Name', 'E-Mail-Adresse', 'Passwort', 'Passwort wiederholen']) {
      expect(
        form
          .find('label')
          .map((_, l) => page.$(l).text())
          .get(),
      ).toContain(label);
    }
    expect(form.find('input[name=contractNumber]')).toHaveLength(0);
  });

  it('registers, links the login to the contact, uses up the code and lands on the property', async () => {
    const code = await invite(contacts.becker.id);
    const before = await countUsers();
    const client = browser();
    const done = await client.post(REGISTER, registration(code, { email: 'Jonas.Becker@Example.de', name: 'Jonas Becker' }));
    expect(done.status).toBe(303);
    expect(done.location).toBe('/portal');
    expect(await countUsers()).toBe(before + 1);

    const em = app.em();
    const user = await em.findOneOrFail(PortalUser, { email: 'jonas.becker@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.getItems().map((c) => c.id)).toEqual([contacts.becker.id]);
    expect(user.onboardedAt).not.toBeNull();
    expect(user.locale).toBe('de');
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    const invitation = await em.findOneOrFail(Invitation, { usedBy: user.id }, all);
    expect(invitation.usedAt).not.toBeNull();
    expect(await em.count(AuditLog, { action: 'portal.registered', subjectId: user.id }, all)).toBe(1);

    const selection = await client.get('/portal');
    expect(selection.location).toBe(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);
    const start = await client.get(selection.location!);
    expect(start.status).toBe(200);
    expect(start.$('main').text()).toContain('Wohnung 001');
    // The new login works with the password just chosen.
    await app.client().loginPortal('jonas.becker@example.de', PASSWORD);
  });
});

describe('bad input', () => {
  /** Posts a registration that must fail: 422, the message next to the field, no login created. */
  async function refused(fields: Record<string, string>, field: string, message: string, client = browser()) {
    const before = await countUsers();
    const page = await client.post(REGISTER, fields);
    expect(page.status).toBe(422);
    expect(errorOf(page, field)).toBe(message);
    expect(page.$(`#${field}`).attr('aria-invalid')).toBe('true');
    expect(await countUsers()).toBe(before);
    return page;
  }

  it('refuses an unknown code and keeps what was typed', async () => {
    const page = await refused(
      registration('ABCD-EFGH-JKMN', { email: 'jemand@example.de', name: 'Jemand' }),
      'code',
      'Dieser Registrierungscode ist nicht gültig. Bitte prüfen Sie Ihre Eingabe.',
    );
    expect(page.$('input[name=email]').val()).toBe('jemand@example.de');
    expect(page.$('input[name=name]').val()).toBe('Jemand');
    expect(page.$('input[name=code]').val()).toBe('ABCD-EFGH-JKMN');
    expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Angaben.');

    const link = await browser().get(`${REGISTER}?code=nonsense`);
    expect(link.status).toBe(422);
    expect(errorOf(link, 'code')).toBe('Dieser Registrierungscode ist nicht gültig. Bitte prüfen Sie Ihre Eingabe.');
  });

  it('refuses an expired code', async () => {
    const code = await invite(contacts.hoffmann.id, { now: new Date(app.clock.now().getTime() - 31 * 24 * 3600_000) });
    await refused(
      registration(code, { email: 'hoffmann.alt@example.de' }),
      'code',
      'Dieser Registrierungscode ist abgelaufen. Bitte fordern Sie bei Ihrer Verwaltung eine neue Einladung an.',
    );
  });

  it('refuses a code that was replaced by a newer invitation', async () => {
    const old = await invite(contacts.hoffmann.id);
    await invite(contacts.hoffmann.id);
    await refused(
      registration(old, { email: 'hoffmann.ersetzt@example.de' }),
      'code',
      'Dieser Code wurde durch eine neuere Einladung ersetzt. Bitte verwenden Sie den Code aus Ihrer neuesten Einladung.',
    );
  });

  it('refuses a used code', async () => {
    const code = await invite(contacts.hoffmann.id);
    expect((await browser().post(REGISTER, registration(code, { email: 'lukas.hoffmann@example.de' }))).status).toBe(303);
    await refused(registration(code, { email: 'zweiter.versuch@example.de' }), 'code', 'Dieser Code wurde bereits verwendet.');
  });

  it('refuses an e-mail that is registered already and says where to add the code', async () => {
    const code = await invite(contacts.demir.id);
    await refused(
      registration(code, { email: 'Kristina.Maiblume@example.de' }),
      'email',
      'Mit dieser E-Mail-Adresse ist bereits ein Zugang registriert. Bitte melden Sie sich an und geben Sie den Code unter „Profil“ → „Weiteren Zugang hinzufügen“ ein.',
    );
    await refused(registration(code, { email: 'keine-adresse' }), 'email', 'Bitte geben Sie eine gültige E-Mail-Adresse ein.');
    // The code is still good after all this.
    expect((await browser().get(`${REGISTER}?code=${code}`)).status).toBe(200);
  });

  it('refuses a weak password and passwords that differ', async () => {
    const code = await invite(contacts.demir.id);
    await refused(
      registration(code, { email: 'aylin@example.de', password: 'kurz', passwordRepeat: 'kurz' }),
      'password',
      'Das Passwort muss mindestens 10 Zeichen lang sein.',
    );
    await refused(
      registration(code, { email: 'aylin@example.de', passwordRepeat: 'Anderes-Passwort-1' }),
      'passwordRepeat',
      'Die beiden Passwörter stimmen nicht überein.',
    );
    await refused(registration(code, { email: 'aylin@example.de', name: '  ' }), 'name', 'Bitte geben Sie einen Namen ein.');
  });

  it('refuses a form without the CSRF token', async () => {
    const code = await invite(contacts.demir.id);
    const before = await countUsers();
    const page = await browser().post(REGISTER, registration(code, { email: 'ohne.token@example.de' }), { csrf: false });
    expect(page.status).toBe(403);
    expect(await countUsers()).toBe(before);
  });
});

describe('"Vertragsnummer bei Registrierung bestätigen"', () => {
  it('asks for the contract number when on, and accepts it ignoring case and spaces', async () => {
    await settings({ confirmContractNumber: true });
    const [contract] = await app.em().find(Contract, { contacts: contacts.schulz.id }, all);
    expect(contract.contractNumber).toMatch(/^MV-\d+$/);
    const code = await invite(contacts.schulz.id);
    const client = browser();
    const page = await client.get(`${REGISTER}?code=${code}`);
    expect(page.$('label[for=contractNumber]').text()).toBe('Vertragsnummer');

    const before = await countUsers();
    const wrong = await client.post(REGISTER, registration(code, { email: 'peter.schulz@example.de', contractNumber: 'MV-999999' }));
    expect(wrong.status).toBe(422);
    expect(errorOf(wrong, 'contractNumber')).toBe('Die Vertragsnummer passt zu keinem Ihrer Verträge. Bitte prüfen Sie Ihre Eingabe.');
    const missing = await client.post(REGISTER, registration(code, { email: 'peter.schulz@example.de', contractNumber: '' }));
    expect(errorOf(missing, 'contractNumber')).toBe('Bitte geben Sie Ihre Vertragsnummer ein.');
    expect(await countUsers()).toBe(before);

    const typed = ` ${contract.contractNumber!.toLowerCase().replace('-', ' - ')} `;
    const done = await client.post(REGISTER, registration(code, { email: 'peter.schulz@example.de', contractNumber: typed }));
    expect(done.status).toBe(303);
    expect(await countUsers()).toBe(before + 1);
  });

  it('does not ask when off', async () => {
    const code = await invite(contacts.schulz.id);
    const page = await browser().get(`${REGISTER}?code=${code}`);
    expect(page.$('input[name=contractNumber]')).toHaveLength(0);
    expect((await browser().post(REGISTER, registration(code, { email: 'schulz.ohne.nummer@example.de' }))).status).toBe(303);
  });
});

describe('guessing codes', () => {
  it('is throttled: after 20 wrong codes even the right one is refused, with a German message', async () => {
    const client = browser();
    for (let i = 0; i < 20; i++) {
      const page = await client.post(REGISTER, registration(`WRNG-CODE-${String(i).padStart(4, 'X')}`, { email: 'rater@example.de' }));
      expect(page.status).toBe(422);
    }
    const code = await invite(contacts.demir.id);
    const before = await countUsers();
    const locked = await client.post(REGISTER, registration(code, { email: 'aylin.demir@example.de' }));
    expect(locked.status).toBe(429);
    expect(errorOf(locked, 'code')).toBe('Zu viele Versuche mit Registrierungscodes. Bitte warten Sie 5 Minuten und versuchen Sie es dann erneut.');
    expect((await client.get(`${REGISTER}?code=${code}`)).status).toBe(429);
    expect(await countUsers()).toBe(before);

    // Another address is not affected, and the code is still unused.
    expect((await browser().post(REGISTER, registration(code, { email: 'aylin.demir@example.de' }))).status).toBe(303);
  });

  it('counts a good code with a taken e-mail, so one code does not test e-mail addresses without limit', async () => {
    const code = await invite(contacts.hoffmann.id);
    const client = browser();
    const taken = ['kristina.maiblume@example.de', 'heinrich.eigner@example.de'];
    for (let i = 0; i < 20; i++) {
      const page = await client.post(REGISTER, registration(code, { email: taken[i % taken.length] }));
      expect(page.status, `attempt ${i + 1}`).toBe(422);
      expect(errorOf(page, 'email')).toContain('Mit dieser E-Mail-Adresse ist bereits ein Zugang registriert.');
    }
    const locked = await client.post(REGISTER, registration(code, { email: 'frieda.friesen@example.de' }));
    expect(locked.status).toBe(429);
    expect(errorOf(locked, 'code')).toBe('Zu viele Versuche mit Registrierungscodes. Bitte warten Sie 5 Minuten und versuchen Sie es dann erneut.');
  });
});

describe('two registrations racing on the same code', () => {
  it('lets exactly one win', async () => {
    const code = await invite(contacts.demir.id);
    const before = await countUsers();
    const [a, b] = [browser(), browser()];
    await Promise.all([a.csrfToken(), b.csrfToken()]);
    const answers = await Promise.all([
      a.post(REGISTER, registration(code, { email: 'erste@example.de' })),
      b.post(REGISTER, registration(code, { email: 'zweite@example.de' })),
    ]);
    expect(answers.map((p) => p.status).sort()).toEqual([303, 422]);
    const loser = answers.find((p) => p.status === 422)!;
    expect(errorOf(loser, 'code')).toBe('Dieser Code wurde bereits verwendet.');
    expect(await countUsers()).toBe(before + 1);
  });
});

describe('first-login questions', () => {
  async function registerNew(email: string, contactId = contacts.becker.id) {
    const client = browser();
    const code = await invite(contactId);
    const done = await client.post(REGISTER, registration(code, { email }));
    expect(done.status).toBe(303);
    return { client, done };
  }

  it('asks what the settings say, checks the answers and stores them on the contact', async () => {
    await settings({ askResidentQuestion: true, askContactDataConfirmation: true, askContactPreference: true });
    const { client, done } = await registerNew('becker.fragen@example.de');
    expect(done.location).toBe('/portal/willkommen');

    // Every other portal page waits until the questions are answered, whatever the method.
    const property = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    for (const path of ['/portal', property, `${property}/mitteilungen`, '/portal/profil']) {
      const page = await client.get(path);
      expect(page.status, path).toBe(303);
      expect(page.location, path).toBe('/portal/willkommen');
    }
    expect((await client.post('/portal/profil/name', { name: 'X' })).location).toBe('/portal/willkommen');

    const page = await client.get('/portal/willkommen');
    expect(page.status).toBe(200);
    expect(
      page
        .$('legend')
        .map((_, l) => page.$(l).text())
        .get(),
    ).toEqual(['Wohnen Sie in der Liegenschaft?', 'Kontaktdaten bestätigen', 'Präferierter Kontaktweg']);
    for (const label of ['Telefon', 'Straße und Hausnummer', 'PLZ', 'Ort'])
      expect(
        page
          .$('label')
          .map((_, l) => page.$(l).text())
          .get(),
      ).toContain(label);

    const empty = await client.post('/portal/willkommen', {});
    expect(empty.status).toBe(422);
    expect(errorOf(empty, 'livesInProperty')).toBe('Bitte beantworten Sie die Frage.');
    expect(errorOf(empty, 'phone')).toBe('Bitte geben Sie Ihre Telefonnummer ein.');
    expect(errorOf(empty, 'contactPreference')).toBe('Bitte wählen Sie einen Kontaktweg.');

    const answers = {
      livesInProperty: 'ja',
      phone: '089 1234567',
      street: 'Max-Planck-Straße 12',
      postalCode: '8063',
      city: 'München',
      contactPreference: 'post',
    };
    const badPostcode = await client.post('/portal/willkommen', answers);
    expect(badPostcode.status).toBe(422);
    expect(errorOf(badPostcode, 'postalCode')).toBe('Die Postleitzahl muss aus fünf Ziffern bestehen.');
    expect(badPostcode.$('input[name=street]').val()).toBe('Max-Planck-Straße 12');
    expect(badPostcode.$('input[name=contactPreference][value=post]').attr('checked')).toBeDefined();

    const saved = await client.post('/portal/willkommen', { ...answers, postalCode: '80638' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/portal');
    expect((await client.get('/portal')).location).toBe(property);

    const contact = await app.em().findOneOrFail(Contact, { id: contacts.becker.id }, all);
    expect(contact).toMatchObject({
      livesInProperty: true,
      phone: '089 1234567',
      street: 'Max-Planck-Straße 12',
      postalCode: '80638',
      city: 'München',
      contactPreference: 'post',
    });
    expect(contact.contactDataConfirmedAt).not.toBeNull();
    expect((await app.em().findOneOrFail(PortalUser, { email: 'becker.fragen@example.de' }, all)).onboardedAt).not.toBeNull();
    expect((await client.get('/portal/willkommen')).location).toBe('/portal');
  });

  it('asks only the Bewohnerfrage when only it is on', async () => {
    await settings({ askResidentQuestion: true });
    const { client, done } = await registerNew('becker.bewohnerfrage@example.de');
    expect(done.location).toBe('/portal/willkommen');
    const page = await client.get('/portal/willkommen');
    expect(
      page
        .$('legend')
        .map((_, l) => page.$(l).text())
        .get(),
    ).toEqual(['Wohnen Sie in der Liegenschaft?']);
    expect(page.$('input[name=phone]')).toHaveLength(0);
    expect((await client.post('/portal/willkommen', { livesInProperty: 'nein' })).status).toBe(303);
    expect((await app.em().findOneOrFail(Contact, { id: contacts.becker.id }, all)).livesInProperty).toBe(false);
  });

  it('asks nothing when every question is off', async () => {
    const { done } = await registerNew('becker.ohne.fragen@example.de');
    expect(done.location).toBe('/portal');
  });
});

describe('"Weiteren Zugang hinzufügen" in the profile', () => {
  it('adds a contact in another property to the login: object selection with both', async () => {
    const client = browser();
    const first = await invite(contacts.becker.id);
    expect((await client.post(REGISTER, registration(first, { email: 'zwei.objekte@example.de' }))).status).toBe(303);

    const profile = await client.get('/portal/profil');
    expect(profile.status).toBe(200);
    expect(profile.$('#add-access h2').text()).toBe('Weiteren Zugang hinzufügen');

    const wrong = await client.post('/portal/profil/zugang', { code: 'ABCD-EFGH-JKMN' });
    expect(wrong.status).toBe(422);
    expect(errorOf(wrong, 'code')).toBe('Dieser Registrierungscode ist nicht gültig. Bitte prüfen Sie Ihre Eingabe.');

    const second = await invite(contacts.wagner.id, { email: null });
    const added = await client.post('/portal/profil/zugang', { code: second.toLowerCase() });
    expect(added.status).toBe(303);
    expect(added.location).toBe('/portal');
    const selection = await client.get('/portal');
    expect(selection.status).toBe(200);
    expect(
      selection
        .$('.cards strong')
        .map((_, el) => selection.$(el).text())
        .get(),
    ).toEqual(['Max-Planck-Straße 12', 'Rosenweg 24']);

    const again = await client.post('/portal/profil/zugang', { code: second });
    expect(errorOf(again, 'code')).toBe('Dieser Code wurde bereits verwendet.');

    // A code for a contact the login has already is refused and stays usable.
    const same = await invite(contacts.wagner.id, { email: null });
    const linked = await client.post('/portal/profil/zugang', { code: same });
    expect(linked.status).toBe(422);
    expect(errorOf(linked, 'code')).toBe('Dieser Zugang ist bereits mit Ihrem Konto verbunden.');
    expect((await browser().get(`${REGISTER}?code=${same}`)).status).toBe(200);
    const user = await app.em().findOneOrFail(PortalUser, { email: 'zwei.objekte@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.count()).toBe(2);
  });

  it('keeps the contact that was linked before when refusing its code again', async () => {
    const client = browser();
    expect((await client.post(REGISTER, registration(await invite(contacts.becker.id), { email: 'ein.kontakt@example.de' }))).status).toBe(303);
    expect((await client.get('/portal/profil')).$('#contact-data')).toHaveLength(1);

    const linked = await client.post('/portal/profil/zugang', { code: await invite(contacts.becker.id) });
    expect(linked.status).toBe(422);
    expect(errorOf(linked, 'code')).toBe('Dieser Zugang ist bereits mit Ihrem Konto verbunden.');
    // The page of the refusal still knows the contact: its Kontaktdaten are there.
    expect(linked.$('#contact-data h2').text()).toBe('Kontaktdaten');
    const user = await app.em().findOneOrFail(PortalUser, { email: 'ein.kontakt@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.getItems().map((c) => c.id)).toEqual([contacts.becker.id]);
  });
});

describe('the profile', () => {
  async function loggedIn(email: string) {
    const client = browser();
    const code = await invite(contacts.demir.id);
    expect((await client.post(REGISTER, registration(code, { email }))).status).toBe(303);
    return client;
  }

  it('is linked from the portal header and changes name, contact data, Kontaktweg and password', async () => {
    await settings({ askContactPreference: true });
    const client = await loggedIn('profil@example.de');
    await client.post('/portal/willkommen', { contactPreference: 'online' });
    const profile = await client.get('/portal/profil');
    expect(profile.$('.portal-menu a[href="/portal/profil"]').text()).toBe('Profil');

    expect((await client.post('/portal/profil/name', { name: 'Aylin D.' })).location).toBe('/portal/profil?gespeichert=name');
    const afterName = await client.get('/portal/profil?gespeichert=name');
    expect(afterName.$('[role=status]').text()).toBe('Ihr Name wurde gespeichert.');
    expect(afterName.$('input[name=name]').val()).toBe('Aylin D.');

    const badData = await client.post('/portal/profil/kontaktdaten', { phone: '0171 555', street: 'Weg 1', postalCode: 'ABCDE', city: 'Ort' });
    expect(badData.status).toBe(422);
    expect(errorOf(badData, 'postalCode')).toBe('Die Postleitzahl muss aus fünf Ziffern bestehen.');
    expect((await client.post('/portal/profil/kontaktdaten', { phone: '0171 5551234', street: 'Weg 1', postalCode: '80331', city: 'München' })).status).toBe(
      303,
    );
    expect((await client.post('/portal/profil/kontaktweg', { contactPreference: 'post' })).status).toBe(303);
    // Phone and address are proposed to the Verwaltung (test/integration/profile.test.ts: accepted by staff); the Kontaktweg is the resident's.
    const contact = await app.em().findOneOrFail(Contact, { id: contacts.demir.id }, all);
    expect(contact.phone).not.toBe('0171 5551234');
    expect(contact.contactPreference).toBe('post');
    expect((await client.get('/portal/profil')).$('.pending-proposal').text()).toContain('0171 5551234');

    const wrongCurrent = await client.post('/portal/profil/passwort', {
      currentPassword: 'falsch-falsch',
      newPassword: 'Neues-Passwort-1',
      newPasswordRepeat: 'Neues-Passwort-1',
    });
    expect(wrongCurrent.status).toBe(422);
    expect(errorOf(wrongCurrent, 'currentPassword')).toBe('Das aktuelle Passwort ist falsch.');
    const changed = await client.post('/portal/profil/passwort', {
      currentPassword: PASSWORD,
      newPassword: 'Neues-Passwort-1',
      newPasswordRepeat: 'Neues-Passwort-1',
    });
    expect(changed.status).toBe(303);
    expect((await client.get('/portal/profil')).status).toBe(200);
    await app.client().loginPortal('profil@example.de', 'Neues-Passwort-1');
  });

  it('offers the Kontaktweg only while the Verwaltung asks for it', async () => {
    const client = await loggedIn('ohne.kontaktweg@example.de');
    const profile = await client.get('/portal/profil');
    expect(profile.$('input[name=contactPreference]')).toHaveLength(0);
    expect((await client.post('/portal/profil/kontaktweg', { contactPreference: 'post' })).status).toBe(404);
  });

  it('"Nutzer zum Kontakt hinzufügen" invites a second login for the same contact, when allowed', async () => {
    const client = await loggedIn('erste.person@example.de');
    expect((await client.get('/portal/profil')).$('#add-user')).toHaveLength(0);
    expect((await client.post('/portal/profil/nutzer', { inviteEmail: 'partner@example.de' })).status).toBe(404);

    await settings({ residentsMayAddUsers: true });
    const profile = await client.get('/portal/profil');
    expect(profile.$('#add-user h2').text()).toBe('Nutzer zum Kontakt hinzufügen');
    const bad = await client.post('/portal/profil/nutzer', { inviteEmail: 'erste.person@example.de' });
    expect(bad.status).toBe(422);
    expect(errorOf(bad, 'inviteEmail')).toBe('Das ist Ihre eigene E-Mail-Adresse.');

    app.smtp.clear();
    expect((await client.post('/portal/profil/nutzer', { inviteEmail: 'Partner@Example.de' })).location).toBe('/portal/profil?gespeichert=invited');
    await app.deliverMail();
    const [mail] = app.smtp.to('partner@example.de');
    expect(mail.subject).toBe('Einladung zum Kundenportal der Hausverwaltung Sonnenschein GmbH');
    expect(mail.text).toContain('als weitere Nutzerin oder weiteren Nutzer für den Kontakt Aylin Demir');
    const link = new URL(linkIn(mail, REGISTER));

    const partner = browser();
    const form = await partner.get(link.pathname + link.search);
    expect(form.$('input[name=email]').val()).toBe('partner@example.de');
    const code = String(form.$('input[name=code]').val());
    expect((await partner.post(REGISTER, registration(code, { email: 'partner@example.de', name: 'Partner Demir' }))).status).toBe(303);
    const user = await app.em().findOneOrFail(PortalUser, { email: 'partner@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.getItems().map((c) => c.id)).toEqual([contacts.demir.id]);
  });

  it('"Nutzer zum Kontakt hinzufügen" is not there for a former tenant outside every access window', async () => {
    // Aylin Demir's tenancy ended 45 days ago; the world keeps access 60 days after the end.
    await settings({ residentsMayAddUsers: true });
    const client = await loggedIn('ehemalige.mieterin@example.de');
    expect((await client.get('/portal/profil')).$('#add-user')).toHaveLength(1);
    await settings({ postContractAccessEnabled: false });
    try {
      const invitations = () => app.em().count(Invitation, { kind: 'additional_user', contact: contacts.demir.id }, all);
      const before = await invitations();
      expect((await client.get('/portal/profil')).$('#add-user')).toHaveLength(0);
      expect((await client.post('/portal/profil/nutzer', { inviteEmail: 'zweiter.zugang@example.de' })).status).toBe(404);
      expect(await invitations()).toBe(before);
    } finally {
      await settings({ postContractAccessEnabled: true });
    }
  });
});
