import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Em, Orm } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contact, Contract, PortalUser, Unit, type ContractKind } from '../../src/entities/index.ts';
import { accessibleProperties, portalUsersWithAccess } from '../../src/features/access/service.ts';
import { openTestDatabase } from '../support/db.ts';
import { loadWorld, type World } from '../support/world.ts';

let orm: Orm;
let drop: () => Promise<void>;
let world: World;

beforeAll(async () => {
  ({ orm, drop } = await openTestDatabase(inject('testDatabase'), inject('templateDatabase')));
  world = await loadWorld(orm.em.fork() as Em);
});
afterAll(() => drop?.());

let residents = 0;

/** A portal user with one contact and one contract on "Wohnung 005" of Rosenweg 24. */
async function residentWith(kind: ContractKind, startsOn: string, endsOn: string | null) {
  const em = orm.em.fork() as Em;
  scopeToOrganization(em, world.organizations.sonnenschein.id);
  const unit = await em.findOneOrFail(Unit, { property: world.properties.rosenweg, number: 'Wohnung 005' });
  const now = new Date();
  const contact = em.create(Contact, { organization: world.organizations.sonnenschein, lastName: `Test ${startsOn}`, createdAt: now, updatedAt: now });
  em.create(Contract, { organization: world.organizations.sonnenschein, kind, unit, contacts: [contact], startsOn, endsOn, createdAt: now });
  const user = em.create(PortalUser, {
    organization: world.organizations.sonnenschein,
    email: `resident-${++residents}@example.de`,
    name: 'Test',
    createdAt: now,
    contacts: [contact],
  });
  await em.flush();
  return { em, user };
}

// Noon in Berlin on 2026-11-23: the calendar day the access rules compare with.
const AT = new Date('2026-11-23T11:00:00Z');

describe('accessibleProperties (contract period only, windows come later)', () => {
  const cases: Array<{ name: string; kind: ContractKind; startsOn: string; endsOn: string | null; visible: boolean; role?: string }> = [
    { name: 'tenant, contract running', kind: 'rental', startsOn: '2025-01-01', endsOn: null, visible: true, role: 'tenant' },
    { name: 'owner, contract running', kind: 'ownership', startsOn: '2020-01-01', endsOn: null, visible: true, role: 'owner' },
    { name: 'tenant, starts today', kind: 'rental', startsOn: '2026-11-23', endsOn: null, visible: true, role: 'tenant' },
    { name: 'tenant, ends today', kind: 'rental', startsOn: '2024-01-01', endsOn: '2026-11-23', visible: true, role: 'tenant' },
    { name: 'tenant, starts next month', kind: 'rental', startsOn: '2026-12-01', endsOn: null, visible: false },
    { name: 'tenant, ended yesterday', kind: 'rental', startsOn: '2024-01-01', endsOn: '2026-11-22', visible: false },
    { name: 'owner, sold long ago', kind: 'ownership', startsOn: '2010-01-01', endsOn: '2015-06-30', visible: false },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.visible ? 'sees' : 'does not see'} the property`, async () => {
      const { em, user } = await residentWith(c.kind, c.startsOn, c.endsOn);
      const access = await accessibleProperties(em, user, AT);
      const rosenweg = access.find((a) => a.property.id === world.properties.rosenweg.id);
      expect(Boolean(rosenweg)).toBe(c.visible);
      if (c.role) expect(rosenweg!.roles).toEqual([c.role]);
    });
  }

  it('uses the Berlin calendar day: 23:30 UTC on the 22nd is already the 23rd in Berlin', async () => {
    const { em, user } = await residentWith('rental', '2026-11-23', null);
    expect(await accessibleProperties(em, user, new Date('2026-11-22T22:30:00Z'))).toHaveLength(0);
    expect(await accessibleProperties(em, user, new Date('2026-11-22T23:30:00Z'))).toHaveLength(1);
  });

  it('gives a user with several contacts every property, each with its roles', async () => {
    const em = orm.em.fork() as Em;
    scopeToOrganization(em, world.organizations.sonnenschein.id);
    const eigner = await em.findOneOrFail(PortalUser, { id: world.portalUsers.eigner.id });
    const access = await accessibleProperties(em, eigner, new Date());
    expect(access.map((a) => [a.property.name, a.roles])).toEqual([
      ['Max-Planck-Straße 12', ['owner']],
      ['Rosenweg 24', ['owner']],
    ]);
  });
});

describe('portalUsersWithAccess (recipients of content)', () => {
  const scoped = () => {
    const em = orm.em.fork() as Em;
    scopeToOrganization(em, world.organizations.sonnenschein.id);
    return em;
  };

  it('names each registered resident of the properties once', async () => {
    const users = await portalUsersWithAccess(scoped(), [world.properties.maxPlanck.id, world.properties.rosenweg.id], new Date());
    const emails = users.map((u) => u.email);
    expect(emails.filter((e) => e === 'heinrich.eigner@example.de')).toHaveLength(1);
    expect(emails).toContain('kristina.maiblume@example.de');
    expect(emails).not.toContain('frieda.friesen@example.de');
  });

  it('leaves out residents of other properties', async () => {
    const emails = (await portalUsersWithAccess(scoped(), [world.properties.rosenweg.id], new Date())).map((u) => u.email);
    expect(emails).toContain('heinrich.eigner@example.de');
    expect(emails).not.toContain('kristina.maiblume@example.de');
    expect(await portalUsersWithAccess(scoped(), [world.properties.test.id], new Date())).toEqual([]);
  });

  it('reaches every property with "all", within the Verwaltung only', async () => {
    const emails = (await portalUsersWithAccess(scoped(), 'all', new Date())).map((u) => u.email);
    expect(emails).toEqual(expect.arrayContaining(['heinrich.eigner@example.de', 'kristina.maiblume@example.de']));
    expect(emails).not.toContain('frieda.friesen@example.de');
  });
});
