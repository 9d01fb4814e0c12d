import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { DocumentType, NotificationSetting, PostalDelivery, type PortalUser } from '../../src/entities/index.ts';
import { unsubscribeLink } from '../../src/features/notifications/links.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { SAMPLE_FILES } from '../support/files.ts';
import { readPdf } from '../support/pdf.ts';
import type { ReceivedMail } from '../support/smtp.ts';

/**
 * Issue 19 over HTTP against the real app, database and SMTP receiver: Kristina's choices per
 * kind (Profil › Benachrichtigungen) decide whether a Mitteilung or a document reaches her at
 * once, in the daily or in the weekly digest; the one-click unsubscribe without login; the
 * Lesebestätigung of a Mitteilung and the letters for those not reached.
 *
 * The clock starts on Wednesday 2026-12-09, 10:00 in Berlin; the daily digest of that day goes
 * out on Thursday from 07:00, the weekly one (Monday 7th to Sunday 13th) on Monday the 14th.
 */
const all = { filters: { tenant: false } } as const;
const WEDNESDAY = new Date('2026-12-09T09:00:00Z');
const THURSDAY_MORNING = new Date('2026-12-10T06:05:00Z');
const MONDAY_MORNING = new Date('2026-12-14T06:05:00Z');

let app: TestApp;
let manager: Client;
let kristina: Client;
let nord: Client;
let mitteilungId: string;
/** Mails later tests take links from (the receiver is cleared between tests). */
const kept: { eignerMitteilung?: ReceivedMail; kristinaDocument?: ReceivedMail; kristinaWeekly?: ReceivedMail } = {};

beforeAll(async () => {
  app = await startTestApp({ clock: fixedClock(WEDNESDAY) });
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  nord = app.client();
  await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
  await app.deliverMail();
  app.smtp.clear();
});
afterAll(() => app?.close());
beforeEach(() => app.clock.advance(60_000));

const KRISTINA = 'kristina.maiblume@example.de';
const EIGNER = 'heinrich.eigner@example.de';
const settingsOf = async (user: PortalUser) =>
  Object.fromEntries((await app.em().find(NotificationSetting, { portalUser: user.id }, all)).map((row) => [row.kind, row.frequency]));
const header = (mail: ReceivedMail, name: string) => mail.headers.get(name) ?? '';
const unsubscribeUrl = (mail: ReceivedMail) => /^<([^>]+)>$/.exec(header(mail, 'list-unsubscribe'))![1];
const mailsTo = async (address: string) => {
  await app.deliverMail();
  return app.smtp.to(address);
};

describe('Profil › Benachrichtigungen', () => {
  it('offers per kind sofort, täglich, wöchentlich and aus, for Vorgänge only sofort and täglich, with labels', async () => {
    const page = await kristina.get('/portal/profil/benachrichtigungen');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Benachrichtigungen');
    const legends = page
      .$('fieldset legend')
      .map((_, l) => page.$(l).text().trim())
      .get();
    expect(legends).toEqual(['Mitteilungen', 'Termine', 'Dokumente', 'Schwarzes Brett', 'Direktnachrichten', 'Vorgänge', 'Buchungen']);
    const labelsOf = (kind: string) =>
      page
        .$(`#kind-${kind} label`)
        .map((_, l) => page.$(l).text().trim())
        .get();
    expect(labelsOf('announcements')).toEqual(['sofort', 'täglich', 'wöchentlich', 'aus']);
    expect(labelsOf('tickets')).toEqual(['sofort', 'täglich']);
    // The defaults: documents the next day (seed 003), everything else at once.
    expect(page.$('#documents-daily').is(':checked')).toBe(true);
    expect(page.$('#announcements-immediate').is(':checked')).toBe(true);
    for (const input of page.$('input[type=radio]').get()) expect(page.$(`label[for="${page.$(input).attr('id')}"]`)).toHaveLength(1);
    // Reached from the profile page.
    expect((await kristina.get('/portal/profil')).$('a[href="/portal/profil/benachrichtigungen"]')).toHaveLength(1);
  });

  it('refuses "aus" for Vorgänge posted by hand with 422 and a German message at the field; nothing is saved', async () => {
    const answer = await kristina.post('/portal/profil/benachrichtigungen', {
      announcements: 'weekly',
      appointments: 'immediate',
      documents: 'immediate',
      bulletin: 'immediate',
      direct_messages: 'immediate',
      tickets: 'off',
      bookings: 'immediate',
    });
    expect(answer.status).toBe(422);
    expect(answer.$('#tickets-error').text()).toContain('Vorgänge können nicht abbestellt werden');
    // The form comes back as posted.
    expect(answer.$('#announcements-weekly').is(':checked')).toBe(true);
    expect(answer.$('#tickets-off')).toHaveLength(0);
    expect(await settingsOf(app.world.portalUsers.kristina)).toEqual({});
    const nonsense = await kristina.post('/portal/profil/benachrichtigungen', { announcements: 'hourly' });
    expect(nonsense.status).toBe(422);
    expect(nonsense.$('#announcements-error').text()).toBe('Bitte wählen Sie eine der angebotenen Möglichkeiten.');
  });

  it('saves Kristina’s choice: Mitteilungen wöchentlich, Dokumente sofort', async () => {
    const answer = await kristina.post('/portal/profil/benachrichtigungen', {
      announcements: 'weekly',
      appointments: 'immediate',
      documents: 'immediate',
      bulletin: 'daily',
      direct_messages: 'immediate',
      tickets: 'daily',
      bookings: 'immediate',
    });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/portal/profil/benachrichtigungen?gespeichert=1');
    const page = await kristina.get(answer.location!);
    expect(page.$('[role=status]').text()).toContain('gespeichert');
    expect(page.$('#announcements-weekly').is(':checked')).toBe(true);
    expect(await settingsOf(app.world.portalUsers.kristina)).toMatchObject({ announcements: 'weekly', documents: 'immediate', tickets: 'daily' });
  });
});

describe('mails follow the choice', () => {
  it('a Mitteilung: Eigner (default sofort) gets it at once, Kristina (wöchentlich) not', async () => {
    const answer = await manager.postMultipart('/verwaltung/mitteilungen', {
      title: 'Wasserabstellung am Freitag',
      body: 'Am Freitag wird von 8 bis 12 Uhr das Wasser abgestellt.',
      propertyIds: [app.world.properties.maxPlanck.id],
      action: 'publish',
    });
    expect(answer.status).toBe(303);
    mitteilungId = /\/verwaltung\/mitteilungen\/([0-9a-f-]{36})/.exec(answer.location!)![1];
    expect(await mailsTo(KRISTINA)).toEqual([]);
    const [eigner] = await mailsTo(EIGNER);
    kept.eignerMitteilung = eigner;
    expect(eigner.subject).toContain('Wasserabstellung');
    // Every notification mail: one-click unsubscribe for its kind (RFC 8058) and the settings link.
    expect(header(eigner, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(unsubscribeUrl(eigner)).toMatch(/\/benachrichtigungen\/abbestellen\/[0-9a-f-]{36}\/announcements\//);
    expect(eigner.text).toContain('/portal/profil/benachrichtigungen');
    expect(eigner.text).toContain('„Mitteilungen“ per E-Mail abbestellen');
  });

  it('a document: Kristina (sofort) gets a mail at once, Eigner (default täglich) not', async () => {
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    app.smtp.clear();
    const answer = await manager.postMultipart(
      `/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/dokumente`,
      { title: 'Hausordnung Max-Planck-Straße', type: type.id, share: 'property' },
      [{ name: 'hausordnung.pdf', type: 'application/pdf', content: SAMPLE_FILES.pdf }],
      'files',
    );
    expect(answer.status).toBe(303);
    const mails = await mailsTo(KRISTINA);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Neues Dokument: Hausordnung Max-Planck-Straße');
    kept.kristinaDocument = mails[0];
    expect(unsubscribeUrl(mails[0])).toContain('/documents/');
    expect(await mailsTo(EIGNER)).toEqual([]);
  });

  it('Thursday 07:05: the daily digest brings Eigner the document; Kristina gets nothing (her Mitteilungen are weekly)', async () => {
    app.smtp.clear();
    app.clock.set(THURSDAY_MORNING);
    expect(await app.runTask('notification-digest')).toBe(true);
    expect(await mailsTo(KRISTINA)).toEqual([]);
    const [eigner, ...more] = await mailsTo(EIGNER);
    expect(more).toEqual([]);
    expect(eigner.subject).toBe('Ihre tägliche Zusammenfassung aus dem Kundenportal');
    expect(eigner.text).toMatch(/Max-Planck-Straße 12[\s\S]*Dokumente[\s\S]*Hausordnung Max-Planck-Straße/);
    expect(eigner.text).not.toContain('Wasserabstellung');
  });

  it('Monday 07:05: the weekly digest brings Kristina the Mitteilung, once; a second run sends nothing', async () => {
    app.smtp.clear();
    app.clock.set(MONDAY_MORNING);
    expect(await app.runTask('notification-digest')).toBe(true);
    const mails = await mailsTo(KRISTINA);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Ihre wöchentliche Zusammenfassung aus dem Kundenportal');
    kept.kristinaWeekly = mails[0];
    expect(mails[0].text).toMatch(/Max-Planck-Straße 12[\s\S]*Mitteilungen[\s\S]*Wasserabstellung am Freitag/);
    expect(mails[0].text).not.toContain('Hausordnung Max-Planck-Straße');
    expect(header(mails[0], 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    app.clock.advance(15 * 60_000);
    expect(await app.runTask('notification-digest')).toBe(true);
    expect(await mailsTo(KRISTINA)).toHaveLength(1);
  });
});

describe('one-click unsubscribe without login', () => {
  it('the link in the mail asks first (a GET changes nothing), its form unsubscribes without a login', async () => {
    const url = new URL(unsubscribeUrl(kept.kristinaDocument!));
    const stranger = app.client();
    const page = await stranger.get(url.pathname);
    expect(page.status).toBe(200);
    expect(page.$('main, body').text()).toContain('Möchten Sie E-Mails zu „Dokumente“ an kristina.maiblume@example.de abbestellen?');
    expect((await settingsOf(app.world.portalUsers.kristina)).documents).toBe('immediate');
    const form = page.$('form[method=post]');
    expect(form.attr('action')).toBe(url.pathname);
    const done = await stranger.post(url.pathname, { 'List-Unsubscribe': 'One-Click' }, { csrf: false });
    expect(done.status).toBe(200);
    expect(done.$('[role=status]').text()).toBe('Sie erhalten keine E-Mails zu „Dokumente“ mehr.');
    expect((await settingsOf(app.world.portalUsers.kristina)).documents).toBe('off');
  });

  it('a mail client’s one-click POST (RFC 8058: no cookie, no token, no Origin) turns the weekly digest’s kinds off', async () => {
    const response = await fetch(unsubscribeUrl(kept.kristinaWeekly!), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    expect((await settingsOf(app.world.portalUsers.kristina)).announcements).toBe('off');
  });

  it('a Vorgänge link cannot turn them off: they fall back to täglich', async () => {
    const response = await fetch(unsubscribeLink(app.baseUrl, app.world.portalUsers.eigner.id, 'tickets'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect((await settingsOf(app.world.portalUsers.eigner)).tickets).toBe('daily');
  });

  it('refuses a tampered link, a link for another kind or user, and a deleted user’s link: a plain German page, nothing changed', async () => {
    const before = await settingsOf(app.world.portalUsers.eigner);
    const good = new URL(unsubscribeLink(app.baseUrl, app.world.portalUsers.eigner.id, 'announcements')).pathname;
    const [, , , userId, kind, signature] = good.split('/');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const attempts = [
      `/benachrichtigungen/abbestellen/${userId}/${kind}/${flipped}`,
      `/benachrichtigungen/abbestellen/${userId}/documents/${signature}`,
      `/benachrichtigungen/abbestellen/${app.world.portalUsers.kristina.id}/${kind}/${signature}`,
      `/benachrichtigungen/abbestellen/${userId}/nonsense/${signature}`,
      new URL(unsubscribeLink(app.baseUrl, randomUUID(), 'announcements')).pathname,
    ];
    const stranger = app.client();
    for (const path of attempts) {
      for (const answer of [await stranger.get(path), await stranger.post(path, { 'List-Unsubscribe': 'One-Click' }, { csrf: false })]) {
        expect(answer.status, path).toBe(404);
        expect(answer.$('h1').text()).toBe('Link ungültig');
        expect(answer.text).toContain('Es wurde nichts geändert.');
      }
    }
    expect(await settingsOf(app.world.portalUsers.eigner)).toEqual(before);
  });
});

describe('Lesebestätigung and "Nicht erreicht"', () => {
  const receipts = () => `/verwaltung/mitteilungen/${mitteilungId}/lesebestaetigung`;

  it('counts a Mitteilung as opened when Kristina sees it in the portal, and when Eigner follows his mail’s link (no login)', async () => {
    app.clock.set(new Date(MONDAY_MORNING.getTime() + 3600_000));
    // Days have passed on the test clock: everyone logs in again.
    await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const shown = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/mitteilungen/${mitteilungId}`);
    expect(shown.status).toBe(200);
    const link = kept.eignerMitteilung!.text.match(/https?:\/\/\S+\/benachrichtigungen\/mitteilung\/\S+/)![0];
    const followed = await app.client().get(new URL(link).pathname);
    expect(followed.status).toBe(303);
    expect(followed.location).toBe(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/mitteilungen/${mitteilungId}`);

    const page = await manager.get(receipts());
    expect(page.status).toBe(200);
    const row = (contactId: string) => page.$(`#receipt-${contactId}`);
    expect(row(app.world.contacts.kristina.id).find('.opened-at').text()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
    expect(row(app.world.contacts.eigner.id).find('.opened-at').text()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
    // Contacts without a portal login are addressed too, and have not opened it.
    const withoutLogin = page.$('tr').filter((_, tr) => page.$(tr).find('.has-login').text() === 'ohne Portalzugang');
    expect(withoutLogin.length).toBeGreaterThan(0);
    expect(withoutLogin.first().find('.opened-at').text()).toBe('nicht geöffnet');
    // A forged "opened" link records nothing and says so.
    const forged = await app.client().get(new URL(link).pathname.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    expect(forged.status).toBe(404);
  });

  it('lists "Nicht erreicht" after the chosen days, and one click prints a letter per contact, recorded as sent by post', async () => {
    const early = await manager.get(`${receipts()}?tage=30`);
    expect(early.$('#nicht-erreicht').text()).toContain('noch keine 30 Tage');
    const refused = await manager.get(`${receipts()}?tage=abc`);
    expect(refused.status).toBe(422);
    expect(refused.$('#tage-error').text()).toBe('Bitte geben Sie eine ganze Zahl von 1 bis 365 ein.');

    const page = await manager.get(`${receipts()}?tage=3`);
    const listed = page
      .$('.not-reached li')
      .map((_, li) => page.$(li).text())
      .get();
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.join('\n')).not.toContain('Kristina');
    expect(listed.some((text) => text.includes('ohne Portalzugang'))).toBe(true);

    const answer = await manager.request('POST', `${receipts()}/briefe`, {
      body: new URLSearchParams({ _csrf: await manager.csrfToken(), tage: '3' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/pdf');
    const posted = await app.em().find(PostalDelivery, { subjectId: mitteilungId }, { ...all, populate: ['contact'] });
    expect(posted.length).toBe(listed.length);
    expect(posted.map((p) => p.contact.id)).not.toContain(app.world.contacts.kristina.id);

    // Printing again: everyone left already went by post.
    const again = await manager.post(`${receipts()}/briefe`, { tage: '3' });
    expect(again.status).toBe(303);
    expect(again.location).toContain('gedruckt=0');
    expect(await app.em().count(PostalDelivery, { subjectId: mitteilungId }, all)).toBe(posted.length);
    const after = await manager.get(`${receipts()}?tage=3`);
    expect(after.$(`#receipt-${posted[0].contact.id} .posted-at`).text()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
  });

  it('the letters PDF has one letter per contact with address block, title and text', async () => {
    await app.em().nativeDelete(PostalDelivery, { subjectId: mitteilungId }, all);
    const answer = await fetch(`${app.baseUrl}/verwaltung/mitteilungen/${mitteilungId}/lesebestaetigung/briefe`, {
      method: 'POST',
      headers: { ...manager.browserHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: await manager.csrfToken(), tage: '3' }),
    });
    expect(answer.status).toBe(200);
    const pdf = await readPdf(new Uint8Array(await answer.arrayBuffer()));
    const letters = pdf.texts.filter((text) => text.includes('Wasserabstellung am Freitag'));
    expect(letters.length).toBe(await app.em().count(PostalDelivery, { subjectId: mitteilungId }, all));
    expect(letters[0]).toContain('Am Freitag wird von 8 bis 12 Uhr das Wasser abgestellt.');
    expect(letters[0]).toContain('Hausverwaltung Sonnenschein GmbH');
  });

  it('is a 404 for another Verwaltung: the receipts page and the letters', async () => {
    expect((await nord.get(receipts())).status).toBe(404);
    expect((await nord.post(`${receipts()}/briefe`, { tage: '3' })).status).toBe(404);
  });
});

describe('Administration › Kundenportal › Benachrichtigungen', () => {
  it('sets the Verwaltung’s defaults; "aus" for Vorgänge is refused', async () => {
    const page = await manager.get('/verwaltung/administration/kundenportal/benachrichtigungen');
    expect(page.status).toBe(200);
    expect(page.$('#documents-daily').is(':checked')).toBe(true);
    const fields = {
      announcements: 'immediate',
      appointments: 'immediate',
      documents: 'weekly',
      bulletin: 'immediate',
      direct_messages: 'immediate',
      tickets: 'immediate',
      bookings: 'immediate',
    };
    expect((await manager.post('/verwaltung/administration/kundenportal/benachrichtigungen', { ...fields, tickets: 'off' })).status).toBe(422);
    expect((await manager.post('/verwaltung/administration/kundenportal/benachrichtigungen', fields)).status).toBe(303);
    // Dr. Eigner chose nothing for Dokumente: he now has the Verwaltung's default.
    const eigner = app.client();
    await eigner.loginPortal(EIGNER, app.world.password);
    expect((await eigner.get('/portal/profil/benachrichtigungen')).$('#documents-weekly').is(':checked')).toBe(true);
    // The other Verwaltung keeps its own defaults, and so do its residents.
    expect((await nord.get('/verwaltung/administration/kundenportal/benachrichtigungen')).$('#documents-daily').is(':checked')).toBe(true);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get('/portal/profil/benachrichtigungen')).$('#documents-daily').is(':checked')).toBe(true);
    // Not for staff who are no administrators, nor another Verwaltung's.
    const clerk = app.client();
    await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    expect((await clerk.get('/verwaltung/administration/kundenportal/benachrichtigungen')).status).not.toBe(200);
  });
});
