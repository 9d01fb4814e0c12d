import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { AuditLog, Organization, PortalMembership, PortalUser, Session } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';

// Bewohner have no contact, so the property's Kontakte tab is where the Verwaltung sees them
// and ends their access (src/features/access/memberships.ts).

let app: TestApp;
let manager: Client;
let nina: PortalUser;
let membership: PortalMembership;
const all = { filters: { tenant: false } } as const;
const kontakteTab = () => `/verwaltung/liegenschaften/${app.world.properties.maxPlanck.id}/kontakte`;
const endPath = (propertyId: string, membershipId: string) => `/verwaltung/liegenschaften/${propertyId}/bewohner/${membershipId}/beenden`;

beforeAll(async () => {
  app = await startTestApp();
  const em = app.em();
  const now = app.clock.now();
  const organization = em.getReference(Organization, app.world.organizations.sonnenschein.id);
  nina = em.create(PortalUser, {
    organization,
    email: 'nina.nachbar@example.de',
    name: 'Nina Nachbar',
    passwordHash: await hashPassword(app.world.password),
    createdAt: now,
    onboardedAt: now,
  });
  membership = em.create(PortalMembership, {
    organization,
    portalUser: nina,
    property: app.world.properties.maxPlanck.id,
    role: 'resident',
    invitedBy: app.world.portalUsers.kristina.id,
    createdAt: now,
  });
  await em.flush();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

describe('Bewohner on the Kontakte tab', () => {
  it('lists them with role, e-mail and who invited them', async () => {
    const page = await manager.get(kontakteTab());
    const row = page.$(`#membership-${membership.id}`);
    expect(row.find('th').text()).toBe('Nina Nachbar');
    expect(row.text()).toContain('Bewohner');
    expect(row.text()).toContain('nina.nachbar@example.de');
    expect(row.text()).toContain('Kristina Maiblume');
    expect(row.find('button').text()).toBe('Zugang beenden');
  });

  it('refuses another Verwaltung, another property in the URL and a missing CSRF token', async () => {
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect((await nord.post(endPath(app.world.properties.maxPlanck.id, membership.id))).status).toBe(404);
    expect((await manager.post(endPath(app.world.properties.rosenweg.id, membership.id))).status).toBe(404);
    expect((await manager.post(endPath(app.world.properties.maxPlanck.id, membership.id), {}, { csrf: false })).status).toBe(403);
    expect((await app.em().findOneOrFail(PortalMembership, membership.id, all)).endedAt).toBeNull();
  });

  it('"Zugang beenden" ends it at once: the portal is closed to her, her session ended, the audit log says who', async () => {
    const resident = app.client();
    await resident.loginPortal('nina.nachbar@example.de', app.world.password);
    const portalPage = `/portal/liegenschaften/${app.world.properties.maxPlanck.id}`;
    expect((await resident.get(portalPage)).status).toBe(200);

    const answer = await manager.post(endPath(app.world.properties.maxPlanck.id, membership.id));
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(kontakteTab());
    expect((await app.em().findOneOrFail(PortalMembership, membership.id, all)).endedAt).not.toBeNull();
    expect(await app.em().count(Session, { portalUser: nina.id }, all)).toBe(0);
    expect((await resident.get(portalPage)).location).toMatch(/^\/portal\/anmelden/);
    const [audit] = await app.em().find(AuditLog, { action: 'portal_membership.ended', subjectId: nina.id }, all);
    expect(audit).toMatchObject({ actorType: 'staff', actorId: app.world.staff.manager.id });
    expect((await manager.get(kontakteTab())).$(`#membership-${membership.id}`)).toHaveLength(0);
  });
});
