import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail, StaffUser } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

let app: TestApp;
let admin: Client;
beforeAll(async () => {
  app = await startTestApp();
  admin = app.client();
  await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

const STAFF_PAGE = '/verwaltung/administration/mitarbeiter';

/** The row of the staff list for an e-mail address. */
function staffRow(page: Page, email: string) {
  const row = page.$('tbody tr').filter((_, tr) => page.$(tr).find('td').first().text() === email);
  expect(row, `no row for ${email}`).toHaveLength(1);
  return row;
}

function statusOf(page: Page, email: string) {
  return staffRow(page, email).find('td').eq(2).contents().first().text().trim();
}

/** Invites through the admin page and returns the path of the link in the mail that arrived. */
async function invite(name: string, email: string, role = 'staff') {
  const answer = await admin.post(STAFF_PAGE, { name, email, role });
  expect(answer.status).toBe(303);
  return invitationLink(email);
}

async function invitationLink(email: string) {
  app.smtp.clear();
  await app.deliverMail();
  const mails = app.smtp.to(email);
  expect(mails).toHaveLength(1);
  return new URL(linkIn(mails[0], '/verwaltung/einladung/')).pathname;
}

/** What an assertion sees of the whole database, across Verwaltungen. */
async function counts() {
  const em = app.em();
  return { staff: await em.count(StaffUser, {}, { filters: { tenant: false } }), mails: await em.count(OutboxMail, {}) };
}

describe('inviting a staff member', () => {
  it('mails "Einladung zum Service-Portal" with the link "Jetzt Mitarbeiterkonto einrichten"', async () => {
    const answer = await admin.post(STAFF_PAGE, { name: 'Paula Neumann', email: 'paula.neumann@sonnenschein-hv.de', role: 'staff' });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${STAFF_PAGE}?eingeladen=paula.neumann%40sonnenschein-hv.de`);

    const list = await admin.get(answer.location!);
    expect(list.$('[role=status]').text()).toBe('Die Einladung an paula.neumann@sonnenschein-hv.de wurde versendet.');
    expect(staffRow(list, 'paula.neumann@sonnenschein-hv.de').find('th').text()).toBe('Paula Neumann');
    expect(statusOf(list, 'paula.neumann@sonnenschein-hv.de')).toBe('eingeladen');

    app.smtp.clear();
    await app.deliverMail();
    const [mail, ...others] = app.smtp.to('paula.neumann@sonnenschein-hv.de');
    expect(others).toHaveLength(0);
    expect(mail.subject).toContain('Einladung zum Service-Portal');
    expect(mail.subject).toBe('Einladung zum Service-Portal Hausverwaltung Sonnenschein GmbH');

    const link = linkIn(mail, '/verwaltung/einladung/');
    expect(link.startsWith(`${app.baseUrl}/verwaltung/einladung/`)).toBe(true);
    expect(mail.text).toContain(`Jetzt Mitarbeiterkonto einrichten: ${link}`);
    expect(mail.text).toContain('Max Verwalter hat Sie zum Service-Portal von Hausverwaltung Sonnenschein GmbH eingeladen.');
    const html = cheerio.load(mail.html);
    const button = html('a').filter((_, a) => html(a).text() === 'Jetzt Mitarbeiterkonto einrichten');
    expect(button).toHaveLength(1);
    expect(button.attr('href')).toBe(link);
  });

  it('lets the invited person set a password and lands them logged in at the Liegenschaften', async () => {
    const path = await invite('Jonas Anfang', 'jonas.anfang@sonnenschein-hv.de');
    const newcomer = app.client();

    const form = await newcomer.get(path);
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Mitarbeiterkonto einrichten');
    expect(form.$('main').text()).toContain('Willkommen, Jonas Anfang!');

    const tooShort = await newcomer.post(path, { password: 'kurz', passwordRepeat: 'kurz' });
    expect(tooShort.status).toBe(422);
    expect(tooShort.$('#password-error').text()).toBe('Das Passwort muss mindestens 10 Zeichen lang sein.');

    const done = await newcomer.post(path, { password: 'Erster-Arbeitstag-1', passwordRepeat: 'Erster-Arbeitstag-1' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/verwaltung');
    expect(newcomer.cookies.has('hp_staff_session')).toBe(true);
    const start = await newcomer.get('/verwaltung/liegenschaften');
    expect(start.status).toBe(200);
    expect(start.$('main h1').text()).toBe('Liegenschaften');
    expect(start.$('.topbar').text()).toContain('Jonas Anfang');

    expect(statusOf(await admin.get(STAFF_PAGE), 'jonas.anfang@sonnenschein-hv.de')).toBe('aktiv');
    expect((await app.client().get(path)).status).toBe(410);
    await app.client().loginStaff('jonas.anfang@sonnenschein-hv.de', 'Erster-Arbeitstag-1');
  });

  it('makes the first link invalid when the invitation is sent again', async () => {
    const first = await invite('Rolf Zweitlink', 'rolf.zweitlink@sonnenschein-hv.de');
    const list = await admin.get(STAFF_PAGE);
    const resend = staffRow(list, 'rolf.zweitlink@sonnenschein-hv.de').find('form');
    expect(resend.find('button').text()).toBe('Einladung erneut senden');

    const answer = await admin.post(resend.attr('action')!);
    expect(answer.status).toBe(303);
    const second = await invitationLink('rolf.zweitlink@sonnenschein-hv.de');
    expect(second).not.toBe(first);

    const stale = await app.client().get(first);
    expect(stale.status).toBe(410);
    expect(stale.$('[role=alert]').text()).toBe('Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Bitte fordern Sie einen neuen an.');
    expect((await app.client().get(second)).status).toBe(200);
  });
});

describe('invalid invitations', () => {
  it.each([
    { problem: 'an empty name', name: '', email: 'nina.neu@sonnenschein-hv.de', role: 'admin', field: 'name', message: 'Bitte geben Sie einen Namen ein.' },
    {
      problem: 'an invalid e-mail',
      name: 'Nina Neu',
      email: 'nina.neu(at)sonnenschein',
      role: 'staff',
      field: 'email',
      message: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
    },
    {
      problem: 'an e-mail already used',
      name: 'Sabine Doppelt',
      email: ' Sachbearbeitung@Sonnenschein-HV.de ',
      role: 'staff',
      field: 'email',
      message: 'Mit dieser E-Mail-Adresse gibt es bereits ein Mitarbeiterkonto.',
    },
  ])('answers $problem with 422, keeps the form and creates nothing', async ({ name, email, role, field, message }) => {
    const before = await counts();

    const page = await admin.post(STAFF_PAGE, { name, email, role });
    expect(page.status).toBe(422);
    expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Felder.');
    expect(page.$(`#${field}-error`).text()).toBe(message);
    expect(page.$(`#staff-${field}`).attr('aria-invalid')).toBe('true');
    expect(page.$(`#staff-${field}`).attr('aria-describedby')).toBe(`${field}-error`);
    expect(page.$('#staff-name').val()).toBe(name);
    expect(page.$('#staff-email').val()).toBe(email);
    expect(page.$('#staff-role').val()).toBe(role);

    expect(await counts()).toEqual(before);
  });

  it('answers an htmx request with 422 and only the page content, without the layout', async () => {
    const before = await counts();
    const page = await admin.post(
      STAFF_PAGE,
      { name: '', email: 'nina.neu@sonnenschein-hv.de', role: 'staff' },
      { csrf: false, headers: { 'HX-Request': 'true', 'X-CSRF-Token': await admin.csrfToken() } },
    );
    expect(page.status).toBe(422);
    expect(page.headers.get('vary')).toMatch(/HX-Request/i);
    expect(page.text).not.toMatch(/<html|<body/i);
    expect(page.$('nav.mainnav')).toHaveLength(0);

    // htmx swaps the answer into the form's hx-target; with hx-select it keeps only that
    // part of the answer, so the message must be found there.
    const form = page.$('form[data-hx-post]');
    expect(form.attr('data-hx-post')).toBe(STAFF_PAGE);
    const swapped = form.attr('data-hx-select') ? page.$(form.attr('data-hx-select')!) : page.$.root();
    expect(swapped.find('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    expect(swapped.find('#staff-email').val()).toBe('nina.neu@sonnenschein-hv.de');

    expect(await counts()).toEqual(before);
  });
});

describe('who may invite', () => {
  it('refuses the administration to a staff member who is not an admin with 403', async () => {
    const clerk = app.client();
    await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);

    const page = await clerk.get(STAFF_PAGE);
    expect(page.status).toBe(403);
    expect(page.$('[role=alert]').text()).toBe('Dieser Bereich ist Administratoren vorbehalten.');

    const before = await counts();
    const post = await clerk.post(STAFF_PAGE, { name: 'Heimlich Eingeladen', email: 'heimlich@sonnenschein-hv.de', role: 'admin' });
    expect(post.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('does not let the admin of another Verwaltung resend an invitation (404)', async () => {
    await invite('Otto Fremdzugriff', 'otto.fremd@sonnenschein-hv.de');
    const invited = await app.em().findOneOrFail(StaffUser, { email: 'otto.fremd@sonnenschein-hv.de' }, { filters: { tenant: false } });
    const nordAdmin = app.client();
    await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);

    const before = await counts();
    const page = await nordAdmin.post(`${STAFF_PAGE}/${invited.id}/einladung`);
    expect(page.status).toBe(404);
    expect(await counts()).toEqual(before);
  });
});
