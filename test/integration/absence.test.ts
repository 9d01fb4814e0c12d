import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, berlinDate } from '../../src/clock.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { AuditLog, OutboxMail, PropertyStaff, StaffAbsence, Ticket } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

/**
 * Abwesenheit (src/features/absence): Sabine away with Max standing in — a new Vorgang of her
 * property goes to Max, his mail says for whom, Kristina sees Max "in Vertretung für" Sabine
 * on her Vorgang; overlapping absences and absent substitutes are refused at their field.
 */
let app: TestApp;
let sabine: Client;
let max: Client;
let today: string;
const all = { filters: { tenant: false } } as const;
const OWN = '/verwaltung/abwesenheit';

beforeAll(async () => {
  app = await startTestApp();
  today = berlinDate(app.clock.now());
  sabine = app.client();
  await sabine.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  max = app.client();
  await max.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  // Sabine, not Max, is responsible for Max-Planck-Straße 12 (Liegenschaft › Zuständige Mitarbeiter).
  const em = app.em();
  scopeToOrganization(em, app.world.organizations.sonnenschein.id);
  await em.nativeDelete(PropertyStaff, { property: app.world.properties.maxPlanck.id });
  em.create(PropertyStaff, {
    organization: app.world.organizations.sonnenschein.id,
    property: app.world.properties.maxPlanck.id,
    staffUser: app.world.staff.clerk.id,
  });
  await em.flush();
});
afterAll(() => app?.close());

const absences = () => app.em().count(StaffAbsence, {}, all);

describe('Sabine is away, Max stands in', () => {
  beforeAll(async () => {
    const answer = await sabine.post(OWN, { startsOn: today, endsOn: addDays(today, 6), substitute: app.world.staff.manager.id });
    expect(answer.status).toBe(303);
  });

  it('lists the absence with its substitute and writes it to the audit log', async () => {
    const page = await sabine.get(OWN);
    expect(page.$('.absences .card').text()).toContain('Vertretung: Max Verwalter');
    expect(await app.em().count(AuditLog, { action: 'absence.created', subjectId: app.world.staff.clerk.id }, all)).toBe(1);
  });

  it('sends a new Vorgang of her property to Max, saying for whom', async () => {
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const base = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge`;
    const form = await kristina.get(`${base}/neu`);
    const category = form.$('select[name=category] option[value!=""]').first().attr('value')!;
    const answer = await kristina.postMultipart(
      base,
      { category, location: `unit:${app.world.units.wohnung002.id}`, title: 'Heizung kalt', description: 'Seit gestern.' },
      [],
      'photos',
    );
    expect(answer.status).toBe(303);
    const mails = await app.em().find(OutboxMail, { subject: { $like: '%Heizung kalt%' } }, all);
    expect(mails.map((m) => m.to)).toEqual(['verwalter@sonnenschein-hv.de']);
    expect(mails[0].html).toContain('Sie erhalten diese Nachricht in Vertretung für Sabine Sachbearbeiter.');
    expect(mails[0].text).toContain('in Vertretung für Sabine Sachbearbeiter');
  });

  it('shows residents Max "in Vertretung für" Sabine where they see the assignee', async () => {
    const ticket = await app.em().findOneOrFail(Ticket, { title: 'Wasserhahn in der Küche tropft' }, all);
    expect(ticket.assignee?.id).toBe(app.world.staff.clerk.id);
    const kristina = app.client();
    await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
    const page = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}`);
    expect(page.$('dd.assignee').text().replace(/\s+/g, ' ').trim()).toBe('Max Verwalter in Vertretung für Sabine Sachbearbeiter');
    // Max answers on her Vorgang: Kristina's mail says he writes in her stead.
    const answer = await max.postMultipart(
      `/verwaltung/vorgaenge/${ticket.id}/kommentare`,
      { body: 'Ich kümmere mich darum.', visibility: 'public' },
      [],
      'files',
    );
    expect(answer.status).toBe(303);
    const [mail] = await app.em().find(OutboxMail, { to: 'kristina.maiblume@example.de', html: { $like: '%Ich kümmere mich darum.%' } }, all);
    expect(mail.html).toContain('Max Verwalter schreibt in Vertretung für Sabine Sachbearbeiter.');
    // After the absence, Sabine again.
    app.clock.advance(8 * 24 * 3600 * 1000);
    try {
      const later = app.client();
      await later.loginPortal('kristina.maiblume@example.de', app.world.password);
      const page = await later.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}/vorgaenge/${ticket.id}`);
      expect(page.$('dd.assignee').text().trim()).toBe('Sabine Sachbearbeiter');
    } finally {
      app.clock.advance(-8 * 24 * 3600 * 1000);
    }
  });
});

describe('refused absences', () => {
  it('refuses an absence of Max while he stands in for Sabine, and one whose substitute is away then', async () => {
    const before = await absences();
    const own = await max.post(OWN, { startsOn: addDays(today, 2), endsOn: addDays(today, 3), substitute: app.world.staff.clerk.id });
    expect(own.status).toBe(422);
    // Sabine is away then: she cannot stand in, said at the field.
    expect(own.$('#substitute-error').text()).toContain('Sabine Sachbearbeiter ist in diesem Zeitraum selbst abwesend');
    expect(own.$('#absence-substitute').attr('aria-invalid')).toBe('true');
    expect(own.$('#absence-startsOn').val()).toBe(addDays(today, 2));
    expect(own.$('#startsOn-error').text()).toContain('Vertretung für Sabine Sachbearbeiter');
    expect(await absences()).toBe(before);
  });

  it('refuses a substitute who is absent at the same time, and overlapping absences of the same person', async () => {
    // Max is away in three weeks, Sabine as his substitute (an admin sets it for him… or he himself).
    const maxAway = await max.post(OWN, { startsOn: addDays(today, 20), endsOn: addDays(today, 25), substitute: app.world.staff.clerk.id });
    expect(maxAway.status).toBe(303);
    const before = await absences();
    // An admin enters an absence for Sabine overlapping Max's, with Max as substitute.
    const forSabine = `/verwaltung/administration/mitarbeiter/${app.world.staff.clerk.id}/abwesenheit`;
    const answer = await max.post(forSabine, { startsOn: addDays(today, 24), endsOn: addDays(today, 30), substitute: app.world.staff.manager.id });
    expect(answer.status).toBe(422);
    expect(answer.$('#substitute-error').text()).toMatch(
      /^Max Verwalter ist in diesem Zeitraum selbst abwesend \(\d\d\.\d\d\.\d{4} bis \d\d\.\d\d\.\d{4}\) und kann nicht vertreten\.$/,
    );
    // Her own absences must not overlap either.
    const overlap = await sabine.post(OWN, { startsOn: addDays(today, 5), endsOn: addDays(today, 10), substitute: app.world.staff.manager.id });
    expect(overlap.status).toBe(422);
    expect(overlap.$('#startsOn-error').text()).toContain('bereits eine Abwesenheit eingetragen');
    const backwards = await sabine.post(OWN, { startsOn: addDays(today, 40), endsOn: addDays(today, 39), substitute: app.world.staff.manager.id });
    expect(backwards.$('#endsOn-error').text()).toBe('Der letzte Tag darf nicht vor dem ersten liegen.');
    expect(await absences()).toBe(before);
  });

  it('keeps another Verwaltung out (404) and staff out of colleagues\u2019 absences', async () => {
    const nora = app.client();
    await nora.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    const forSabine = `/verwaltung/administration/mitarbeiter/${app.world.staff.clerk.id}/abwesenheit`;
    expect((await nora.get(forSabine)).status).toBe(404);
    expect((await nora.post(forSabine, { startsOn: today, endsOn: today, substitute: app.world.staff.nordAdmin.id })).status).toBe(404);
    const [absence] = await app.em().find(StaffAbsence, { staffUser: app.world.staff.clerk.id }, all);
    expect((await nora.post(`${forSabine}/${absence.id}/entfernen`)).status).toBe(404);
    expect((await nora.post(`${OWN}/${absence.id}/entfernen`)).status).toBe(404);
    // Sabine (not an admin) cannot open Max's page.
    expect((await sabine.get(`/verwaltung/administration/mitarbeiter/${app.world.staff.manager.id}/abwesenheit`)).status).toBe(403);
    expect(await app.em().count(StaffAbsence, { id: absence.id }, all)).toBe(1);
  });
});
