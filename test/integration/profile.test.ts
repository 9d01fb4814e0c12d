import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Contact, ContactPerson, OneTimeToken, PortalUser, StaffUser, Ticket } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';
import { linkIn } from '../support/smtp.ts';

const de = (ns: string) => JSON.parse(readFileSync(new URL(`../../locales/de/${ns}.json`, import.meta.url), 'utf8'));
const profile = de('profile');
const common = de('common');

let app: TestApp;
let kristina: Client;
beforeAll(async () => {
  app = await startTestApp();
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
});
afterAll(() => app?.close());

const fieldError = (page: Page, name: string) => page.$(`#${name}-error`).text();
const HOUR = 60 * 60 * 1000;

/** A phone's JPEG: landscape, with camera data and a GPS position in its EXIF. */
const phoneJpeg = () =>
  sharp({ create: { width: 1200, height: 800, channels: 3, background: '#c33' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Phone 15', Copyright: 'Kristina' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' },
    })
    .toBuffer();

const HEIC = Buffer.concat([
  Buffer.from('00000018', 'hex'),
  Buffer.from('ftypheic'),
  Buffer.from('00000000', 'hex'),
  Buffer.from('mif1heic'),
  Buffer.alloc(4096),
]);

const userRow = (email: string) => app.em().findOneOrFail(PortalUser, { email }, { filters: { tenant: false } });
const uploadPhoto = (client: Client, name: string, type: string, content: Buffer, base = '/portal/profil') =>
  client.postMultipart(`${base}/foto`, {}, [{ name, type, content }], 'photo');

async function fetchBytes(client: Client, path: string) {
  const response = await fetch(new URL(path, app.baseUrl), { headers: client.browserHeaders(), redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
}

describe('profile photo', () => {
  let photoPath: string;

  it('takes a phone photo: square, 256 px, without EXIF, shown on the profile', async () => {
    const page = await uploadPhoto(kristina, 'IMG_2001.jpg', 'image/jpeg', await phoneJpeg());
    expect(page.status).toBe(303);
    const profilePage = await kristina.get(page.location!);
    expect(profilePage.$('[role=status]').text()).toContain(profile.saved.photo);
    photoPath = profilePage.$('img.avatar-large').attr('src')!;
    const user = await userRow('kristina.maiblume@example.de');
    expect(photoPath).toMatch(new RegExp(`^/portal/fotos/bewohner/${user.id}\\?v=`));
    const photo = await fetchBytes(kristina, photoPath);
    expect(photo.status).toBe(200);
    expect(photo.type).toBe('image/jpeg');
    const meta = await sharp(photo.body).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([256, 256, 'jpeg']);
    expect(meta.exif).toBeUndefined();
    expect(photo.body.includes(Buffer.from('TestCam'))).toBe(false);
  });

  it('is seen by staff of the Verwaltung, by no other resident and by no other Verwaltung (404)', async () => {
    const user = await userRow('kristina.maiblume@example.de');
    const sabine = app.client();
    await sabine.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    expect((await fetchBytes(sabine, `/verwaltung/fotos/bewohner/${user.id}`)).status).toBe(200);

    const nordAdmin = app.client();
    await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await fetchBytes(nordAdmin, `/verwaltung/fotos/bewohner/${user.id}`)).status).toBe(404);

    const heinrich = app.client();
    await heinrich.loginPortal('heinrich.eigner@example.de', app.world.password);
    expect((await fetchBytes(heinrich, photoPath)).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await fetchBytes(frieda, photoPath)).status).toBe(404);
    expect((await fetchBytes(app.client(), photoPath)).status).toBe(303);
  });

  it('refuses HEIC, other types and photos over 10 MB at the field, writing nothing', async () => {
    const before = (await userRow('kristina.maiblume@example.de')).photoKey;
    const stored = await filesUnder(app.storageDir);
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1);
    (await phoneJpeg()).copy(huge);
    for (const [file, type, content, message] of [
      ['IMG_0001.HEIC', 'image/heic', HEIC, common.upload.heic],
      ['foto.jpg', 'image/jpeg', Buffer.from('%PDF-1.4\n%%EOF\n'), profile.errors.photoType],
      ['riesig.jpg', 'image/jpeg', huge, profile.errors.photoTooLarge],
    ] as const) {
      const page = await uploadPhoto(kristina, file, type, content);
      expect(page.status, file).toBe(422);
      expect(fieldError(page, 'photo')).toBe(message);
      expect(page.$('#photo').attr('aria-invalid')).toBe('true');
    }
    expect((await userRow('kristina.maiblume@example.de')).photoKey).toBe(before);
    expect(await filesUnder(app.storageDir)).toEqual(stored);
  });

  it('offers built-in avatars instead; choosing one removes the photo', async () => {
    const page = await kristina.get('/portal/profil');
    expect(page.$('input[name=avatar]').length).toBeGreaterThan(4);
    expect((await kristina.post('/portal/profil/avatar', { avatar: 'boese' })).status).toBe(422);
    expect((await kristina.post('/portal/profil/avatar', { avatar: 'sonne' })).status).toBe(303);
    const user = await userRow('kristina.maiblume@example.de');
    expect([user.avatar, user.photoKey]).toEqual(['sonne', null]);
    expect((await fetchBytes(kristina, photoPath)).status).toBe(404);
    expect((await kristina.get('/portal/profil')).$('img.avatar-large').attr('src')).toBe('/static/avatars/sonne.svg');
  });

  it('saves a display name and the language', async () => {
    expect((await kristina.post('/portal/profil/anzeigename', { displayName: 'x'.repeat(81) })).status).toBe(422);
    expect((await kristina.post('/portal/profil/anzeigename', { displayName: 'Kristina M.' })).status).toBe(303);
    expect((await kristina.post('/portal/profil/sprache', { locale: 'en' })).status).toBe(303);
    const user = await userRow('kristina.maiblume@example.de');
    expect([user.displayName, user.locale]).toEqual(['Kristina M.', 'en']);
    expect((await kristina.post('/portal/profil/sprache', { locale: 'de' })).status).toBe(303);
  });
});

describe('e-mail change', () => {
  const newAddress = 'kristina.neu@example.de';

  async function requestChange(client: Client, newEmail: string, currentPassword = app.world.password) {
    app.smtp.clear();
    return client.post('/portal/profil/e-mail', { newEmail, currentPassword });
  }

  it('asks for the current password', async () => {
    const page = await requestChange(kristina, newAddress, 'falsch');
    expect(page.status).toBe(422);
    expect(page.$('#newEmail').val()).toBe(newAddress);
    expect(fieldError(page, 'emailPassword')).not.toBe('');
  });

  it('answers an address already in use exactly like a new one; the mail there explains', async () => {
    const taken = await requestChange(kristina, 'heinrich.eigner@example.de');
    expect(taken.status).toBe(303);
    const takenNotice = (await kristina.get(taken.location!)).$('[role=status]').text();
    await app.deliverMail();
    const mails = app.smtp.to('heinrich.eigner@example.de');
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(de('mail')['email-change-taken'].subject);
    expect(mails[0].text).not.toContain('/portal/e-mail-bestaetigen/');
    expect(await app.em().count(OneTimeToken, { purpose: 'email_change' }, { filters: { tenant: false } })).toBe(0);

    const fresh = await requestChange(kristina, 'niemand.hier@example.de');
    expect(fresh.status).toBe(303);
    const freshNotice = (await kristina.get(fresh.location!)).$('[role=status]').text();
    expect(takenNotice.replace('heinrich.eigner@example.de', 'X')).toBe(freshNotice.replace('niemand.hier@example.de', 'X'));
  });

  it('changes the address through the link sent to the new one and tells the old one', async () => {
    await requestChange(kristina, newAddress);
    await app.deliverMail();
    const [mail] = app.smtp.to(newAddress);
    const link = new URL(linkIn(mail, '/portal/e-mail-bestaetigen/'));
    expect(link.origin).toBe(app.baseUrl);
    // Opening the link only asks (a mail scanner's GET changes nothing).
    const ask = await app.client().get(link.pathname);
    expect(ask.status).toBe(200);
    expect((await userRow('kristina.maiblume@example.de')).email).toBe('kristina.maiblume@example.de');
    const done = await app.client().post(link.pathname);
    expect(done.status).toBe(200);
    expect(done.$('[role=status]').text()).toContain(newAddress);
    await app.deliverMail();
    const told = app.smtp.to('kristina.maiblume@example.de');
    expect(told.map((m) => m.subject)).toEqual([de('mail')['email-changed'].subject]);
    expect(told[0].text).toContain(newAddress);
    // The link works once; the new address logs in, the old one no longer does.
    expect((await app.client().post(link.pathname)).status).toBe(410);
    await app.client().loginPortal(newAddress, app.world.password);
    expect((await app.client().post('/portal/anmelden', { email: 'kristina.maiblume@example.de', password: app.world.password })).status).not.toBe(303);
  });

  it('refuses an expired or tampered link with a clear page', async () => {
    await requestChange(kristina, 'kristina.spaeter@example.de');
    await app.deliverMail();
    const link = new URL(linkIn(app.smtp.to('kristina.spaeter@example.de')[0], '/portal/e-mail-bestaetigen/'));
    const tampered = await app.client().get(`${link.pathname.slice(0, -3)}xyz`);
    expect(tampered.status).toBe(410);
    expect(tampered.$('[role=alert]').text()).toBe(profile.confirm.invalid);
    app.clock.advance(25 * HOUR);
    const expired = await app.client().post(link.pathname);
    expect(expired.status).toBe(410);
    expect(expired.$('[role=alert]').text()).toBe(profile.confirm.invalid);
    expect((await userRow(newAddress)).email).toBe(newAddress);
  });
});

describe('staff profile', () => {
  it('lets Sabine set photo, position and phone, which Kristina sees on her assigned Vorgang', async () => {
    const sabine = app.client();
    await sabine.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    const wrong = await sabine.post('/verwaltung/profil', { position: 'Sachbearbeitung', phone: 'keine' });
    expect(wrong.status).toBe(422);
    expect(fieldError(wrong, 'phone')).toBe(profile.errors.phoneInvalid);
    expect(wrong.$('#position').val()).toBe('Sachbearbeitung');
    expect((await sabine.post('/verwaltung/profil', { position: 'Sachbearbeitung Mietverwaltung', phone: '030 1234567' })).status).toBe(303);
    expect(
      (
        await uploadPhoto(
          sabine,
          'sabine.png',
          'image/png',
          await sharp({ create: { width: 300, height: 500, channels: 3, background: '#396' } })
            .png()
            .toBuffer(),
          '/verwaltung/profil',
        )
      ).status,
    ).toBe(303);

    const em = app.em();
    const staff = await em.findOneOrFail(StaffUser, { email: 'sachbearbeitung@sonnenschein-hv.de' }, { filters: { tenant: false } });
    const ticket = await em.findOneOrFail(Ticket, { reporter: { email: 'kristina.neu@example.de' } }, { filters: { tenant: false }, populate: ['property'] });
    ticket.assignee = staff;
    await em.flush();

    const page = await kristina.get(`/portal/liegenschaften/${ticket.property.id}/vorgaenge/${ticket.id}`);
    expect(page.status).toBe(200);
    const card = page.$('.assignee .staff-card');
    expect(card.find('.position').text()).toBe('Sachbearbeitung Mietverwaltung');
    expect(card.find('.phone').text()).toBe('030 1234567');
    const src = card.find('img.avatar').attr('src')!;
    expect(src).toMatch(`/portal/fotos/mitarbeiter/${staff.id}`);
    const photo = await fetchBytes(kristina, src);
    expect(photo.status).toBe(200);
    expect((await sharp(photo.body).metadata()).width).toBe(256);
    // Another Verwaltung's resident does not see Sonnenschein's staff.
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await fetchBytes(frieda, src)).status).toBe(404);

    // The preview (a staff session) shows her as Ansprechpartner with the photo from the console's route, which loads there.
    em.create(ContactPerson, { organization: staff.organization, property: ticket.property, name: staff.name, email: staff.email, role: 'Sachbearbeitung' });
    await em.flush();
    expect((await sabine.get(`/verwaltung/liegenschaften/${ticket.property.id}/vorschau`)).status).toBe(303);
    const preview = await sabine.get(`/portal/vorschau/liegenschaften/${ticket.property.id}/ansprechpartner`);
    const previewSrc = preview.$('img.avatar').attr('src')!;
    expect(previewSrc).toMatch(`/verwaltung/fotos/mitarbeiter/${staff.id}`);
    expect((await fetchBytes(sabine, previewSrc)).status).toBe(200);
  });
});

describe('phone and address', () => {
  const contactRow = () => app.em().findOneOrFail(Contact, { id: app.world.contacts.kristina.id }, { filters: { tenant: false } });

  it('are proposed to the contact; staff accept or reject them on its page', async () => {
    const before = await contactRow();
    const propose = (phone: string) => kristina.post('/portal/profil/kontaktdaten', { phone, street: 'Neue Straße 5', postalCode: '10115', city: 'Berlin' });
    expect((await propose('030 7654321')).status).toBe(303);
    expect((await contactRow()).phone).toBe(before.phone);
    expect((await kristina.get('/portal/profil')).$('.pending-proposal').text()).toContain('030 7654321');

    const contactPage = `/verwaltung/kontakte/${before.id}`;
    const nordAdmin = app.client();
    await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    const sabine = app.client();
    await sabine.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
    const page = await sabine.get(contactPage);
    const accept = page.$('.contact-changes form[action$="/annehmen"]').attr('action')!;
    expect(page.$('.contact-changes').text()).toContain('030 7654321');
    expect((await nordAdmin.post(accept)).status).toBe(404);
    expect((await sabine.post(accept)).status).toBe(303);
    expect(await contactRow()).toMatchObject({ phone: '030 7654321', street: 'Neue Straße 5', postalCode: '10115', city: 'Berlin' });
    expect((await sabine.post(accept)).status).toBe(404);

    expect((await propose('030 1111111')).status).toBe(303);
    const reject = (await sabine.get(contactPage)).$('.contact-changes form[action$="/ablehnen"]').attr('action')!;
    expect((await sabine.post(reject)).status).toBe(303);
    expect((await contactRow()).phone).toBe('030 7654321');
    expect((await sabine.get(contactPage)).$('.contact-changes').length).toBe(0);
  });
});
