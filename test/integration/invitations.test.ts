import * as cheerio from 'cheerio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, Contact, Contract, Invitation, InvitationLetterBatch, OutboxMail, PortalUser } from '../../src/entities/index.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { findUsableInvitation, hashCode } from '../../src/features/invitations/codes.ts';
import { portalStatuses } from '../../src/features/invitations/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';
import { CODE, readPdf } from '../support/pdf.ts';
import { linkIn } from '../support/smtp.ts';

const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());
beforeEach(async () => {
  app.clock.advance(60_000);
  // Mails queued by an earlier test must not count for this one.
  await app.deliverMail();
  app.smtp.clear();
});

const contactByName = (lastName: string) => app.em().findOneOrFail(Contact, { lastName }, all);
const contactPage = (contact: { id: string }) => `/verwaltung/kontakte/${contact.id}`;

async function counts() {
  const em = app.em();
  return {
    invitations: await em.count(Invitation, {}, all),
    batches: await em.count(InvitationLetterBatch, {}, all),
    mails: await em.count(OutboxMail, {}),
    users: await em.count(PortalUser, {}, all),
  };
}

/** The invitation mail that arrived for an address, with the code and link it carries. */
async function invitationMailTo(email: string) {
  await app.deliverMail();
  const mails = app.smtp.to(email);
  expect(mails).toHaveLength(1);
  const [mail] = mails;
  const link = linkIn(mail, '/portal/registrieren?code=');
  const code = mail.text.match(CODE)?.[0];
  expect(code, mail.text).toBeDefined();
  return { mail, link, code: code! };
}

/** The PDF at a download path: its bytes and headers. */
async function download(client: Client, pathname: string) {
  const response = await fetch(new URL(pathname, app.baseUrl), { headers: client.browserHeaders() });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** An EntityManager scoped to Sonnenschein, as the app's request EntityManager is. */
function sonnenscheinEm() {
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  return em;
}

const statusIn = (page: Page) => page.$('.page-head .portal-status').text().trim();

describe('bulk invitation of a property', () => {
  const bulkPath = () => `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/einladungen`;
  const countOf = (page: Page, name: string) => Number(page.$(`[data-count=${name}]`).text());

  it('is offered on the Kontakte tab of the property', async () => {
    const tab = await manager.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/kontakte`);
    const button = tab.$('a.button').filter((_, a) => tab.$(a).text() === 'Kontakte einladen');
    expect(button.attr('href')).toBe(bulkPath());
  });

  it('counts who gets an e-mail or a letter, invites them in one go and makes one PDF of the letters', async () => {
    // Rosenweg 24: Dr. Eigner (registered) and Elena Wagner (blocked) have logins; Ingrid Sommer
    // has an e-mail, Walter Krause none; Marta Nowak is invited by letter already (demo).
    const plan = await manager.get(bulkPath());
    expect(plan.status).toBe(200);
    expect(plan.$('h1').text()).toBe('Kontakte einladen');
    expect({
      total: countOf(plan, 'total'),
      registered: countOf(plan, 'registered'),
      email: countOf(plan, 'email'),
      letter: countOf(plan, 'letter'),
      invited: countOf(plan, 'invited'),
    }).toEqual({
      total: 5,
      registered: 2,
      email: 1,
      letter: 1,
      invited: 1,
    });
    const reinvite = plan.$('input[name=reinvite]');
    expect(reinvite.is(':checked')).toBe(false);
    expect(plan.$(`label:has(input[name=reinvite])`).text().trim()).toBe('Bereits eingeladene erneut einladen');

    const nowak = await contactByName('Nowak');
    const nowakBefore = await app.em().find(Invitation, { contact: nowak.id }, all);

    const sent = await manager.post(bulkPath(), {});
    expect(sent.status).toBe(303);
    const result = await manager.get(sent.location!);
    expect(result.$('[role=status]').text()).toContain('Einladungen versendet: 1 per E-Mail, 1 per Brief.');
    const pdfLink = result
      .$('a')
      .filter((_, a) => result.$(a).text() === 'Einladungsbriefe herunterladen (PDF)')
      .attr('href')!;
    expect(pdfLink).toMatch(/^\/verwaltung\/einladungsbriefe\/[0-9a-f-]{36}$/);

    const { mail, code } = await invitationMailTo('ingrid.sommer@example.de');
    expect(mail.subject).toBe('Einladung zum Kundenportal der Hausverwaltung Sonnenschein GmbH');
    expect(await findUsableInvitation(app.em(), code, app.clock.now())).not.toBeNull();

    const { bytes } = await download(manager, pdfLink);
    const pdf = await readPdf(bytes);
    expect(pdf.pages).toBe(1);
    expect(pdf.texts[0]).toContain('Walter Krause');
    const letterCode = pdf.texts[0].match(CODE)![0];
    const invitation = await findUsableInvitation(app.em(), letterCode, app.clock.now());
    expect(invitation?.contact?.id).toBe((await contactByName('Krause')).id);
    expect(invitation?.property?.id).toBe(app.world.properties.rosenweg.id);

    // Marta Nowak was not invited again (the box was not ticked).
    expect(await app.em().find(Invitation, { contact: nowak.id }, all)).toHaveLength(nowakBefore.length);

    const after = await manager.get(bulkPath());
    expect({ email: countOf(after, 'email'), letter: countOf(after, 'letter'), invited: countOf(after, 'invited') }).toEqual({
      email: 0,
      letter: 0,
      invited: 3,
    });
  });

  it('invites the already invited again when the box is ticked: one page per letter, old codes stop working', async () => {
    expect(countOf(await manager.get(bulkPath()), 'invited')).toBe(3);
    const before = await app.em().find(Invitation, { property: app.world.properties.rosenweg.id, revokedAt: null, usedAt: null }, all);

    const sent = await manager.post(bulkPath(), { reinvite: '1' });
    expect(sent.status).toBe(303);
    const result = await manager.get(sent.location!);
    expect(result.$('[role=status]').text()).toContain('Einladungen versendet: 1 per E-Mail, 2 per Brief.');
    const pdfLink = result
      .$('a')
      .filter((_, a) => result.$(a).text() === 'Einladungsbriefe herunterladen (PDF)')
      .attr('href')!;
    const pdf = await readPdf((await download(manager, pdfLink)).bytes);
    expect(pdf.pages).toBe(2);
    expect(pdf.texts.join('\n')).toContain('Marta Nowak');
    expect(pdf.texts.join('\n')).toContain('Walter Krause');

    for (const old of before) expect((await app.em().findOneOrFail(Invitation, { id: old.id }, all)).revokedAt).not.toBeNull();
    const batch = await app.em().findOneOrFail(InvitationLetterBatch, { id: pdfLink.split('/').pop()! }, all);
    expect(batch.letterCount).toBe(2);
    expect(batch.property?.id).toBe(app.world.properties.rosenweg.id);
  });
});

describe('inviting a contact by e-mail', () => {
  it('sends the personal link and the code, stores only the hash and shows the contact as invited', async () => {
    const hoffmann = await contactByName('Hoffmann');
    const page = await manager.get(contactPage(hoffmann));
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Lukas Hoffmann');
    expect(statusIn(page)).toBe('nicht eingeladen');
    const form = page.$('form[action$="/einladung"]');
    expect(form.find('input[name=channel][value=email]').is(':checked')).toBe(true);

    const answer = await manager.post(`${contactPage(hoffmann)}/einladung`, { channel: 'email' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${contactPage(hoffmann)}?hinweis=email`);

    const { mail, link, code } = await invitationMailTo('lukas.hoffmann@example.de');
    expect(mail.subject).toBe('Einladung zum Kundenportal der Hausverwaltung Sonnenschein GmbH');
    expect(mail.text).toContain('Sehr geehrter Herr Hoffmann,');
    expect(link).toBe(`${app.baseUrl}/portal/registrieren?code=${code}`);
    expect(mail.text).toContain(`Ihr persönlicher Registrierungscode:\n\n${code}\n`);
    expect(mail.text).toContain('Leopoldstraße 40');
    const html = cheerio.load(mail.html);
    expect(
      html('a')
        .filter((_, a) => html(a).text() === 'Jetzt im Kundenportal registrieren')
        .attr('href'),
    ).toBe(link);

    // Only the hash of the code is stored: no column of the invitation holds the code.
    const invitation = await findUsableInvitation(app.em(), code, app.clock.now());
    expect(invitation?.contact?.id).toBe(hoffmann.id);
    expect(invitation?.channel).toBe('email');
    const rows = await app.em().getConnection().execute('select * from invitation where contact_id = ?', [hoffmann.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].code_hash).toBe(hashCode(code));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(code.replace(/-/g, ''));
    expect(await app.em().count(AuditLog, { action: 'invitation.sent', subjectId: hoffmann.id }, all)).toBe(1);

    const after = await manager.get(answer.location!);
    expect(after.$('[role=status]').text()).toBe('Die Einladung wurde per E-Mail versendet.');
    expect(statusIn(after)).toBe('eingeladen');
    const history = after.$('table.invitation-history tbody tr');
    expect(history).toHaveLength(1);
    expect(history.find('td').eq(0).text()).toContain('E-Mail an lukas.hoffmann@example.de');
    expect(history.find('td').eq(1).text()).toBe('Max Verwalter');
    expect(history.find('td').eq(2).text()).toContain('offen');
  });

  it('replaces the old code when sent again', async () => {
    const hoffmann = await contactByName('Hoffmann');
    await manager.post(`${contactPage(hoffmann)}/einladung`, { channel: 'email' });
    const first = await invitationMailTo('lukas.hoffmann@example.de');
    app.smtp.clear();
    app.clock.advance(60_000);
    await manager.post(`${contactPage(hoffmann)}/einladung`, { channel: 'email' });
    const second = await invitationMailTo('lukas.hoffmann@example.de');

    expect(second.code).not.toBe(first.code);
    expect(await findUsableInvitation(app.em(), first.code, app.clock.now())).toBeNull();
    expect(await findUsableInvitation(app.em(), second.code, app.clock.now())).not.toBeNull();
    const history = (await manager.get(contactPage(hoffmann))).$('table.invitation-history tbody tr');
    expect(history.first().find('td').eq(2).text()).toContain('offen');
    expect(history.eq(1).find('td').eq(2).text()).toContain('ersetzt');
  });
});

describe('inviting a contact by letter', () => {
  it('makes a print-ready PDF with address, code and a QR code of the personal link', async () => {
    const krause = await contactByName('Krause');
    const page = await manager.get(contactPage(krause));
    // Walter Krause has no e-mail address: only the letter is offered.
    expect(page.$('input[name=channel][value=email]').is(':disabled')).toBe(true);
    expect(page.$('input[name=channel][value=letter]').is(':checked')).toBe(true);
    const filesBefore = await filesUnder(app.storageDir);

    const answer = await manager.post(`${contactPage(krause)}/einladung`, { channel: 'letter' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${contactPage(krause)}?hinweis=brief`);
    const after = await manager.get(answer.location!);
    expect(statusIn(after)).toBe('eingeladen');
    const link = after
      .$('a')
      .filter((_, a) => after.$(a).text() === 'Einladungsbrief herunterladen (PDF)')
      .attr('href')!;
    expect(link).toMatch(/^\/verwaltung\/einladungsbriefe\/[0-9a-f-]{36}$/);
    expect((await filesUnder(app.storageDir)).length).toBe(filesBefore.length + 1);

    const { response, bytes } = await download(manager, link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toContain('no-store');

    const pdf = await readPdf(bytes);
    expect(pdf.pages).toBe(1);
    const text = pdf.texts[0];
    for (const expected of [
      'Hausverwaltung Sonnenschein GmbH',
      'Leopoldstraße 40',
      'Herrn Walter Krause',
      'Hauptstraße 3',
      '85354 Freising',
      'Ihre Einladung zum Kundenportal',
      'Sehr geehrter Herr Krause,',
      `${app.baseUrl}/portal/registrieren`,
    ]) {
      expect(text).toContain(expected);
    }
    const code = text.match(CODE)![0];
    // The page as an image and its QR code are checked in the browser (test/e2e/invitation.test.ts).
    const invitation = await findUsableInvitation(app.em(), code, app.clock.now());
    expect(invitation?.contact?.id).toBe(krause.id);
    expect(invitation?.channel).toBe('letter');
  });

  it('keeps a letter PDF only while one of its codes can still be used (hourly clean-up)', async () => {
    const krause = await contactByName('Krause');
    // The test clock stands still: batches are told apart by what each invitation added.
    const batchIds = async () => (await app.em().find(InvitationLetterBatch, {}, all)).map((b) => b.id);
    const newBatch = async (before: string[]) => (await batchIds()).filter((id) => !before.includes(id));
    const initial = await batchIds();
    await manager.post(`${contactPage(krause)}/einladung`, { channel: 'letter' });
    const [replaced] = await newBatch(initial);
    const afterFirst = await batchIds();
    await manager.post(`${contactPage(krause)}/einladung`, { channel: 'letter' }); // replaces the first code
    const [current] = await newBatch(afterFirst);
    expect([replaced, current].every(Boolean)).toBe(true);
    const before = await batchIds();
    const files = await filesUnder(app.storageDir);

    expect(await app.runTask('session-cleanup')).toBe(true);
    const left = await batchIds();
    expect(left).not.toContain(replaced);
    expect(left).toContain(current);
    expect(await filesUnder(app.storageDir)).toHaveLength(files.length - (before.length - left.length));
    expect((await download(manager, `/verwaltung/einladungsbriefe/${replaced}`)).response.status).toBe(404);
    expect((await download(manager, `/verwaltung/einladungsbriefe/${current}`)).response.status).toBe(200);
  });

  it('refuses the e-mail for a contact without an address, and creates nothing', async () => {
    const krause = await contactByName('Krause');
    const before = await counts();
    const page = await manager.post(`${contactPage(krause)}/einladung`, { channel: 'email' });
    expect(page.status).toBe(422);
    expect(page.$('#channel-error').text()).toBe('Für diesen Kontakt ist keine E-Mail-Adresse hinterlegt. Bitte laden Sie ihn per Brief ein.');
    expect(await counts()).toEqual(before);
  });
});

describe('who cannot be invited', () => {
  it('refuses a contact without a contract in the access window, with a message, and creates nothing', async () => {
    // A tenant who moved out long ago: outside even the 60 days after the end (demo windows).
    const em = app.em();
    const organization = app.world.organizations.sonnenschein.id;
    const now = app.clock.now();
    const gone = em.create(Contact, {
      organization,
      type: 'person',
      salutation: 'herr',
      firstName: 'Otto',
      lastName: 'Ausgezogen',
      email: 'otto.ausgezogen@example.de',
      createdAt: now,
      updatedAt: now,
    });
    em.create(Contract, {
      organization,
      kind: 'rental',
      unit: app.world.units.wohnung002.id,
      contacts: [gone],
      startsOn: '2015-01-01',
      endsOn: '2020-12-31',
      createdAt: now,
    });
    await em.flush();

    const page = await manager.get(contactPage(gone));
    expect(page.$('#channel-error').text()).toContain('kann deshalb nicht eingeladen werden');
    expect(page.$('form[action$="/einladung"]')).toHaveLength(0);

    const before = await counts();
    const refused = await manager.post(`${contactPage(gone)}/einladung`, { channel: 'email' });
    expect(refused.status).toBe(422);
    expect(refused.$('#channel-error').text()).toBe(
      'Dieser Kontakt hat keinen Vertrag, der gerade läuft oder im Zeitraum für vorvertraglichen Zugang bzw. Zugang nach Vertragsende liegt. Er kann deshalb nicht eingeladen werden.',
    );
    const letter = await manager.post(`${contactPage(gone)}/einladung`, { channel: 'letter' });
    expect(letter.status).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('says "bereits registriert" for a registered contact and offers "Nutzer zum Kontakt hinzufügen"', async () => {
    const kristina = app.world.contacts.kristina;
    const page = await manager.get(contactPage(kristina));
    expect(statusIn(page)).toBe('registriert');
    expect(page.$('form[action$="/einladung"]')).toHaveLength(0);
    expect(page.$('#add-user').text()).toBe('Nutzer zum Kontakt hinzufügen');
    expect(page.$('form[action$="/nutzer"] label').text()).toBe('E-Mail-Adresse');

    const before = await counts();
    const refused = await manager.post(`${contactPage(kristina)}/einladung`, { channel: 'email' });
    expect(refused.status).toBe(422);
    expect(refused.$('#channel-error').text()).toContain('bereits registriert');
    expect(await counts()).toEqual(before);
  });
});

describe('the contact page', () => {
  it('shows contracts, logins, and the first-login answers', async () => {
    const kristina = app.world.contacts.kristina;
    const em = app.em();
    const contact = await em.findOneOrFail(Contact, { id: kristina.id }, all);
    contact.livesInProperty = true;
    contact.contactDataConfirmedAt = new Date('2026-11-02T09:30:00Z');
    await em.flush();

    const page = await manager.get(contactPage(kristina));
    const facts = Object.fromEntries(
      page
        .$('.contact-facts dt')
        .toArray()
        .map((dt) => [page.$(dt).text(), page.$(dt).next('dd').text().trim()]),
    );
    expect(facts).toMatchObject({
      'E-Mail': 'kristina.maiblume@example.de',
      Kontaktpräferenz: 'Online',
      'Wohnt in der Liegenschaft': 'Ja',
      'Kontaktdaten bestätigt am': '02.11.2026, 10:30',
    });
    const contract = page.$('section[aria-labelledby=contact-contracts] tbody tr').first();
    expect(contract.find('th').text()).toBe('Mietvertrag');
    expect(contract.find('td').eq(0).text()).toBe('Wohnung 002');
    expect(contract.find('td').eq(0).find('a').attr('href')).toBe(
      `/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einheiten/${app.world.units.wohnung002.id}`,
    );
    expect(contract.find('td').eq(1).find('a').attr('href')).toBe(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}`);
    expect(contract.find('td').eq(3).text()).toMatch(/^MV-\d+$/);
    const login = page.$('section.contact-portal table.list').first().find('tbody tr');
    expect(login.find('th').text()).toBe('kristina.maiblume@example.de');
  });

  it('lists every contact with its portal status and a link to its page', async () => {
    const list = await manager.get('/verwaltung/kontakte');
    const statusOf = (name: string) => {
      const row = list.$('tbody tr').filter((_, tr) => list.$(tr).find('th').text() === name);
      expect(row, name).toHaveLength(1);
      return { status: row.find('.portal-status').text().trim(), href: row.find('th a').attr('href') };
    };
    expect(statusOf('Jonas Becker').status).toBe('eingeladen');
    expect(statusOf('Marta Nowak').status).toBe('eingeladen');
    expect(statusOf('Peter Schulz').status).toBe('nicht eingeladen');
    expect(statusOf('Elena Wagner').status).toBe('gesperrt');
    expect(statusOf('Dr. Heinrich Eigner').status).toBe('registriert');
    expect(statusOf('Peter Schulz').href).toBe(contactPage(await contactByName('Schulz')));
  });

  it('portalStatuses answers for several contacts at once', async () => {
    const [becker, schulz, wagner] = await Promise.all(['Becker', 'Schulz', 'Wagner'].map(contactByName));
    const statuses = await portalStatuses(sonnenscheinEm(), [becker.id, schulz.id, wagner.id, app.world.contacts.eigner.id], app.clock.now());
    expect(Object.fromEntries(statuses)).toEqual({
      [becker.id]: 'invited',
      [schulz.id]: 'not_invited',
      [wagner.id]: 'disabled',
      [app.world.contacts.eigner.id]: 'registered',
    });

    // An invitation that expired no longer counts.
    app.clock.advance(40 * 24 * 60 * 60 * 1000);
    try {
      expect((await portalStatuses(sonnenscheinEm(), [becker.id], app.clock.now())).get(becker.id)).toBe('not_invited');
    } finally {
      app.clock.advance(-40 * 24 * 60 * 60 * 1000);
    }
  });
});

describe('blocking portal access', () => {
  it("ends the sessions of the contact's logins, refuses their login, and can be undone", async () => {
    const resident = app.client();
    await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
    expect((await resident.get('/portal')).status).toBeLessThan(400);
    const kristina = app.world.contacts.kristina;

    const blocked = await manager.post(`${contactPage(kristina)}/portalzugang/sperren`);
    expect(blocked.status).toBe(303);
    const page = await manager.get(blocked.location!);
    expect(page.$('[role=status]').text()).toBe('Der Portalzugang wurde gesperrt.');
    expect(statusIn(page)).toBe('gesperrt');
    expect(page.$('form[action$="/portalzugang/entsperren"] button').text()).toBe('Portalzugang entsperren');

    const away = await resident.get('/portal');
    expect(away.status).toBe(303);
    expect(away.location).toMatch(/^\/portal\/anmelden/);
    const again = await app.client().post('/portal/anmelden', { email: 'kristina.maiblume@example.de', password: app.world.password });
    expect(again.status).not.toBe(303);

    const unblocked = await manager.post(`${contactPage(kristina)}/portalzugang/entsperren`);
    expect(unblocked.status).toBe(303);
    expect(statusIn(await manager.get(unblocked.location!))).toBe('registriert');
    await app.client().loginPortal('kristina.maiblume@example.de', app.world.password);
  });
});

describe('Nutzer zum Kontakt hinzufügen', () => {
  it('offers an existing login of the Verwaltung the contact with a code; the owner links it in the profile', async () => {
    const hoffmann = await contactByName('Hoffmann');
    const answer = await manager.post(`${contactPage(hoffmann)}/nutzer`, { email: ' Heinrich.Eigner@example.de ' });
    expect(answer.status).toBe(303);
    const page = await manager.get(answer.location!);
    expect(page.$('[role=status]').text()).toContain('Für den bestehenden Portalzugang heinrich.eigner@example.de wurde ein Code versendet.');
    // Nothing is linked until the owner of the login confirms with the code.
    const linkedContacts = async () =>
      (await app.em().findOneOrFail(PortalUser, { email: 'heinrich.eigner@example.de' }, { ...all, populate: ['contacts'], refresh: true })).contacts
        .getItems()
        .map((c) => c.id);
    expect(await linkedContacts()).not.toContain(hoffmann.id);
    await app.deliverMail();
    const [mail] = app.smtp.to('heinrich.eigner@example.de');
    expect(mail.subject).toBe('Ein weiterer Kontakt für Ihren Kundenportal-Zugang');
    const code = mail.text.match(CODE)![0];
    expect(linkIn(mail, '/portal/profil')).toBe(`${app.baseUrl}/portal/profil`);

    const eigner = app.client();
    await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
    const redeemed = await eigner.post('/portal/profil/zugang', { code });
    expect(redeemed.status).toBe(303);
    expect(await linkedContacts()).toContain(hoffmann.id);

    const twice = await manager.post(`${contactPage(hoffmann)}/nutzer`, { email: 'heinrich.eigner@example.de' });
    expect(twice.status).toBe(422);
    expect(twice.$('#email-error').text()).toBe('Dieser Portalzugang ist bereits mit dem Kontakt verknüpft.');
  });

  it('invites a new address as a second login of the same contact', async () => {
    const kristina = app.world.contacts.kristina;
    const answer = await manager.post(`${contactPage(kristina)}/nutzer`, { email: 'tom.maiblume@example.de' });
    expect(answer.status).toBe(303);
    const { mail, code } = await invitationMailTo('tom.maiblume@example.de');
    expect(mail.text).toContain('für den Kontakt Kristina Maiblume');
    const invitation = await findUsableInvitation(app.em(), code, app.clock.now());
    expect(invitation).toMatchObject({ kind: 'additional_user', email: 'tom.maiblume@example.de' });
    expect(invitation?.contact?.id).toBe(kristina.id);
  });

  it('answers an invalid e-mail with 422, keeps the input and creates nothing', async () => {
    const before = await counts();
    const page = await manager.post(`${contactPage(app.world.contacts.kristina)}/nutzer`, { email: 'tom(at)maiblume' });
    expect(page.status).toBe(422);
    expect(page.$('#email-error').text()).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein.');
    expect(page.$('#add-user-email').val()).toBe('tom(at)maiblume');
    expect(page.$('#add-user-email').attr('aria-invalid')).toBe('true');
    expect(await counts()).toEqual(before);
  });
});

describe('who may do this', () => {
  it('gives the other Verwaltung 404 for a Sonnenschein contact, property and letter', async () => {
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    const batch = await app
      .em()
      .findOneOrFail(InvitationLetterBatch, { organization: app.world.organizations.sonnenschein.id }, { ...all, orderBy: { createdAt: 'desc' } });
    const kristina = app.world.contacts.kristina;
    const rosenweg = app.world.properties.rosenweg.id;
    const before = await counts();

    for (const url of [contactPage(kristina), `/verwaltung/liegenschaften/${rosenweg}/einladungen`, `/verwaltung/einladungsbriefe/${batch.id}`]) {
      const page = await nord.get(url);
      expect(page.status, url).toBe(404);
      expect(page.text).not.toContain('Maiblume');
    }
    for (const [url, fields] of [
      [`${contactPage(kristina)}/einladung`, { channel: 'letter' }],
      [`${contactPage(kristina)}/nutzer`, { email: 'fremd@example.de' }],
      [`${contactPage(kristina)}/portalzugang/sperren`, {}],
      [`/verwaltung/liegenschaften/${rosenweg}/einladungen`, { reinvite: '1' }],
    ] as const) {
      expect((await nord.post(url, fields)).status, url).toBe(404);
    }
    expect(await counts()).toEqual(before);
  });

  it('sends visitors without a staff session to the console login, residents included', async () => {
    const batch = await app
      .em()
      .findOneOrFail(InvitationLetterBatch, { organization: app.world.organizations.sonnenschein.id }, { ...all, orderBy: { createdAt: 'desc' } });
    const resident = app.client();
    await resident.loginPortal('heinrich.eigner@example.de', app.world.password);
    for (const client of [app.client(), resident]) {
      for (const url of [contactPage(app.world.contacts.kristina), `/verwaltung/einladungsbriefe/${batch.id}`]) {
        const page = await client.get(url);
        expect(page.status, url).toBe(303);
        expect(page.location).toMatch(/^\/verwaltung\/anmelden/);
      }
    }
  });

  it('refuses a form without CSRF token with 403 and creates nothing', async () => {
    const hoffmann = await contactByName('Hoffmann');
    const before = await counts();
    const page = await manager.post(`${contactPage(hoffmann)}/einladung`, { channel: 'email' }, { csrf: false });
    expect(page.status).toBe(403);
    const bulk = await manager.post(`/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/einladungen`, { reinvite: '1' }, { csrf: false });
    expect(bulk.status).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
