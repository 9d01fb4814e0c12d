import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { addDays, berlinDate } from '../../src/clock.ts';
import { Contact, Contract, Invitation, Organization, PortalMembership, PortalUser } from '../../src/entities/index.ts';
import { createInvitation } from '../../src/features/invitations/codes.ts';
import { RESIDENT_INVITATIONS_PER_DAY } from '../../src/features/registration/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { linkIn } from '../support/smtp.ts';

// "Nachbarn einladen" (seed 001): a registered resident invites a neighbour as Bewohner, who
// sees only general content of that property.

let app: TestApp;
let kristina: Client;
beforeAll(async () => {
  app = await startTestApp();
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
});
afterAll(() => app?.close());

const all = { filters: { tenant: false } } as const;
const PASSWORD = 'Nachbarschaft-2026';
const maxPlanck = () => `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
const invitePage = () => `${maxPlanck()}/nachbarn-einladen`;

async function settings(patch: Partial<Organization>) {
  await app.em().nativeUpdate(Organization, { id: app.world.organizations.sonnenschein.id }, patch);
  app.forgetCaches();
}

beforeEach(() => settings({ neighbourInvitesEnabled: true, askContactPreference: true, postContractAccessEnabled: false }));

describe('"Nachbarn einladen"', () => {
  it('is not there while the Verwaltung has it switched off', async () => {
    await settings({ neighbourInvitesEnabled: false });
    const start = await kristina.get(maxPlanck());
    expect(start.$(`a[href="${invitePage()}"]`)).toHaveLength(0);
    expect((await kristina.get(invitePage())).status).toBe(404);
    expect((await kristina.post(invitePage(), { name: 'Nina Nachbar', email: 'nina@example.de' })).status).toBe(404);
  });

  it('invites a neighbour by e-mail, who registers as Bewohner and sees only general content', async () => {
    const start = await kristina.get(maxPlanck());
    const link = start.$(`a[href="${invitePage()}"]`);
    expect(link.text()).toBe('Nachbarn einladen');

    const form = await kristina.get(invitePage());
    expect(form.status).toBe(200);
    expect(form.$('h1').text()).toBe('Nachbarn einladen');
    expect(form.$('label[for=name]').text()).toBe('Name');
    expect(form.$('label[for=email]').text()).toBe('E-Mail-Adresse');

    const invitations = () => app.em().count(Invitation, { kind: 'neighbour' }, all);
    const before = await invitations();
    const bad = await kristina.post(invitePage(), { name: '', email: 'keine-adresse' });
    expect(bad.status).toBe(422);
    expect(bad.$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    expect(bad.$('#email-error').text()).toBe('Bitte geben Sie eine gültige E-Mail-Adresse ein.');
    expect(await invitations()).toBe(before);
    expect((await kristina.post(invitePage(), { name: 'Nina Nachbar', email: 'nina@example.de' }, { csrf: false })).status).toBe(403);

    app.smtp.clear();
    const sent = await kristina.post(invitePage(), { name: 'Nina Nachbar', email: 'Nina.Nachbar@example.de' });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`${invitePage()}?gesendet=nina.nachbar%40example.de`);
    expect((await kristina.get(sent.location!)).$('[role=status]').text()).toBe('Die Einladung an nina.nachbar@example.de wurde versendet.');

    await app.deliverMail();
    const [mail, ...more] = app.smtp.to('nina.nachbar@example.de');
    expect(more).toHaveLength(0);
    expect(mail.subject).toBe('Kristina Maiblume lädt Sie zum Kundenportal der Hausverwaltung Sonnenschein GmbH ein');
    expect(mail.text).toContain('Hallo Nina Nachbar,');
    expect(mail.text).toContain('als Bewohnerin oder Bewohner der Liegenschaft Max-Planck-Straße 12');
    const url = new URL(linkIn(mail, '/portal/registrieren?code='));

    const nina = app.client();
    const registration = await nina.get(url.pathname + url.search);
    expect(registration.status).toBe(200);
    expect(registration.$('main').text()).toContain('Sie wurden als Bewohnerin oder Bewohner der Liegenschaft Max-Planck-Straße 12 eingeladen.');
    expect(registration.$('input[name=email]').val()).toBe('nina.nachbar@example.de');
    const code = String(registration.$('input[name=code]').val());
    expect(mail.text).toContain(code);

    const done = await nina.post('/portal/registrieren', {
      code,
      email: 'nina.nachbar@example.de',
      name: 'Nina Nachbar',
      password: PASSWORD,
      passwordRepeat: PASSWORD,
    });
    expect(done.status).toBe(303);
    // A Bewohner has no contact: no first-login questions, though the Kontaktweg is asked of contacts.
    expect(done.location).toBe('/portal');

    const user = await app.em().findOneOrFail(PortalUser, { email: 'nina.nachbar@example.de' }, { ...all, populate: ['contacts'] });
    expect(user.contacts.count()).toBe(0);
    const membership = await app.em().findOneOrFail(PortalMembership, { portalUser: user.id }, all);
    expect(membership).toMatchObject({ role: 'resident', endedAt: null });
    expect(membership.property.id).toBe(app.world.properties.maxPlanck.id);
    expect(membership.invitedBy?.id).toBe(app.world.portalUsers.kristina.id);

    expect((await nina.get('/portal')).location).toBe(maxPlanck());
    const home = await nina.get(maxPlanck());
    expect(home.status).toBe(200);
    expect(home.$('main').text()).toContain('Ihre Rolle: Bewohner');
    // Nothing contact-specific: no units, no Kristina's flat.
    expect(home.$('main').text()).not.toContain('Ihre Einheiten');
    expect(home.$('main').text()).not.toContain('Wohnung 002');
    const news = await nina.get(`${maxPlanck()}/mitteilungen`);
    expect(news.status).toBe(200);
    expect(news.$('main').text()).toContain('Wartung der Heizungsanlage');

    // A Bewohner invites nobody further, and reaches no other property.
    expect(home.$(`a[href="${invitePage()}"]`)).toHaveLength(0);
    expect((await nina.get(invitePage())).status).toBe(404);
    expect((await nina.get(`/portal/liegenschaften/${app.world.properties.rosenweg.id}`)).status).toBe(404);
    expect((await nina.get(`/portal/liegenschaften/${app.world.properties.rosenweg.id}/mitteilungen`)).status).toBe(404);
  });

  it('sends at most RESIDENT_INVITATIONS_PER_DAY invitations per resident in 24 hours, then refuses with a message', async () => {
    // A fresh resident with nothing sent yet: Dr. Eigner owns flats in Max-Planck-Straße 12.
    const eigner = app.client();
    await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
    const sent = () => app.em().count(Invitation, { invitedByPortalUser: app.world.portalUsers.eigner.id }, all);
    for (let n = 1; n <= RESIDENT_INVITATIONS_PER_DAY; n++) {
      const ok = await eigner.post(invitePage(), { name: `Nachbar ${n}`, email: `nachbar-${n}@example.de` });
      expect(ok.status, `invitation ${n}`).toBe(303);
    }
    const refused = await eigner.post(invitePage(), { name: 'Einer zu viel', email: 'zu-viel@example.de' });
    expect(refused.status).toBe(422);
    expect(refused.$('#email-error').text()).toContain('so viele Einladungen versendet, wie an einem Tag möglich sind');
    expect(refused.$('input[name=email]').val()).toBe('zu-viel@example.de');
    expect(await sent()).toBe(RESIDENT_INVITATIONS_PER_DAY);
  });

  it('reaches no property the resident has no access to', async () => {
    const rosenweg = `/portal/liegenschaften/${app.world.properties.rosenweg.id}/nachbarn-einladen`;
    expect((await kristina.get(rosenweg)).status).toBe(404);
    expect((await kristina.post(rosenweg, { name: 'Fremd', email: 'fremd@example.de' })).status).toBe(404);
    const nordhaus = `/portal/liegenschaften/${app.world.properties.hafenstrasse.id}/nachbarn-einladen`;
    expect((await kristina.get(nordhaus)).status).toBe(404);
  });

  it('is not offered to a former tenant whose access comes only from the window after the contract', async () => {
    // Aylin Demir's tenancy in Max-Planck-Straße 12 ended 45 days ago.
    await settings({ postContractAccessEnabled: true, postContractAccessDays: 60, askContactPreference: false });
    const em = app.em();
    scopeToOrganization(em, app.world.organizations.sonnenschein.id);
    const organization = await em.findOneOrFail(Organization, { id: app.world.organizations.sonnenschein.id });
    const contact = await em.findOneOrFail(Contact, { id: app.world.contacts.demir.id });
    const { code } = await createInvitation(em, { organization, kind: 'contact', channel: 'email', contact, email: contact.email }, app.clock.now());
    await em.flush();
    const aylin = app.client();
    expect(
      (await aylin.post('/portal/registrieren', { code, email: 'aylin.demir@example.de', name: 'Aylin Demir', password: PASSWORD, passwordRepeat: PASSWORD }))
        .status,
    ).toBe(303);

    const start = await aylin.get(maxPlanck());
    expect(start.status).toBe(200);
    expect(start.$(`a[href="${invitePage()}"]`)).toHaveLength(0);
    expect((await aylin.get(invitePage())).status).toBe(404);
  });

  describe('is checked again when the neighbour registers', () => {
    /** Kristina invites by e-mail; returns the code from the mail. */
    async function kristinaInvites(email: string): Promise<string> {
      app.smtp.clear();
      expect((await kristina.post(invitePage(), { name: 'Neue Nachbarin', email })).status).toBe(303);
      await app.deliverMail();
      const [mail] = app.smtp.to(email);
      return new URL(linkIn(mail, '/portal/registrieren?code=')).searchParams.get('code')!;
    }

    /** Registers with the code: refused with the message, nothing created; returns the page. */
    async function refused(code: string, email: string) {
      const users = () => app.em().count(PortalUser, {}, all);
      const before = await users();
      const page = await app.client().post('/portal/registrieren', { code, email, name: 'Neue Nachbarin', password: PASSWORD, passwordRepeat: PASSWORD });
      expect(page.status).toBe(422);
      expect(page.$('#code-error').text()).toBe(
        'Diese Einladung gilt nicht mehr: Wer Sie eingeladen hat, kann für diese Liegenschaft keine Nachbarn mehr einladen. Bitte wenden Sie sich an Ihre Verwaltung.',
      );
      expect(await users()).toBe(before);
      expect(await app.em().count(PortalUser, { email }, all)).toBe(0);
      expect((await app.em().findOneOrFail(Invitation, { email, kind: 'neighbour' }, all)).usedAt).toBeNull();
    }

    it('refuses a neighbour code after the Verwaltung switched "Nachbarn einladen" off', async () => {
      const code = await kristinaInvites('nachbar.abgeschaltet@example.de');
      await settings({ neighbourInvitesEnabled: false });
      await refused(code, 'nachbar.abgeschaltet@example.de');

      // Switched on again, the same code works: the refusal used nothing up.
      await settings({ neighbourInvitesEnabled: true });
      const done = await app
        .client()
        .post('/portal/registrieren', { code, email: 'nachbar.abgeschaltet@example.de', name: 'Neue Nachbarin', password: PASSWORD, passwordRepeat: PASSWORD });
      expect(done.status).toBe(303);
    });

    it("refuses a neighbour code after the inviting tenant's contract has ended", async () => {
      const code = await kristinaInvites('nachbar.vertragsende@example.de');
      const em = app.em();
      const contract = await em.findOneOrFail(Contract, { contacts: app.world.contacts.kristina.id, kind: 'rental' }, all);
      const endsOn = contract.endsOn;
      await em.nativeUpdate(Contract, { id: contract.id }, { endsOn: addDays(berlinDate(app.clock.now()), -1) }, all);
      app.forgetCaches();
      try {
        await refused(code, 'nachbar.vertragsende@example.de');
        // Also when someone logged in adds it under "Weiteren Zugang hinzufügen".
        const eigner = app.client();
        await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
        const added = await eigner.post('/portal/profil/zugang', { code });
        expect(added.status).toBe(422);
        expect(added.$('#code-error').text()).toContain('Diese Einladung gilt nicht mehr');
        expect(await app.em().count(PortalMembership, { portalUser: app.world.portalUsers.eigner.id }, all)).toBe(0);
      } finally {
        await em.nativeUpdate(Contract, { id: contract.id }, { endsOn }, all);
        app.forgetCaches();
      }
    });
  });
});
