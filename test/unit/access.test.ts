import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Em, Orm } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  Contact,
  Contract,
  newContactPreference,
  Organization,
  PortalMembership,
  PortalUser,
  Unit,
  type ContractKind,
  type MembershipRole,
} from '../../src/entities/index.ts';
import { accessibleProperties, contactsInAccessWindow, portalUsersWithAccess, type PortalRole } from '../../src/features/access/service.ts';
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

/** Sets the access windows of the demo Verwaltung (Rollen & Zugriffsrechte) in days; null is off. */
async function setWindows(windows: { pre: number | null; post: number | null }) {
  await (orm.em.fork() as Em).nativeUpdate(
    Organization,
    { id: world.organizations.sonnenschein.id },
    {
      preContractAccessEnabled: windows.pre !== null,
      preContractAccessDays: windows.pre ?? 30,
      postContractAccessEnabled: windows.post !== null,
      postContractAccessDays: windows.post ?? 30,
    },
  );
}

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
  // The demo Verwaltung has both windows on; these cases are about the contract period alone.
  beforeAll(() => setWindows({ pre: null, post: null }));

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

// --- Access windows (Rollen & Zugriffsrechte, seed 002), table-driven -------------------------
// AT is 2026-11-23 in Berlin. Windows when on: 14 days before the start, 30 days after the end.

type Place = 'rosenweg' | 'maxPlanck';
type ContractSpec = { kind: ContractKind; startsOn: string; endsOn: string | null; place?: Place };
type UserSpec = {
  /** One contact per entry, each with its contracts. */
  contacts?: Array<{ contracts: ContractSpec[]; archived?: boolean }>;
  memberships?: Array<{ role: MembershipRole; place?: Place; ended?: boolean }>;
  registered?: boolean;
};

/** A portal user as described, in the demo Verwaltung; returns the user, its contacts' ids and a scoped em. */
async function userWith(spec: UserSpec) {
  const em = orm.em.fork() as Em;
  scopeToOrganization(em, world.organizations.sonnenschein.id);
  const organization = world.organizations.sonnenschein;
  const now = new Date();
  const units = {
    rosenweg: await em.findOneOrFail(Unit, { property: world.properties.rosenweg, number: 'Wohnung 005' }),
    maxPlanck: await em.findOneOrFail(Unit, { id: world.units.wohnung002.id }),
  };
  const contacts = (spec.contacts ?? []).map((c, i) => {
    const contact = em.create(Contact, {
      organization,
      lastName: `Fenster ${residents + 1}-${i}`,
      archivedAt: c.archived ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    for (const k of c.contracts)
      em.create(Contract, {
        organization,
        kind: k.kind,
        unit: units[k.place ?? 'rosenweg'],
        contacts: [contact],
        startsOn: k.startsOn,
        endsOn: k.endsOn,
        createdAt: now,
      });
    return contact;
  });
  const user = em.create(PortalUser, {
    organization,
    email: `window-${++residents}@example.de`,
    name: 'Test',
    passwordHash: spec.registered ? 'registered' : null,
    createdAt: now,
    contacts,
  });
  for (const m of spec.memberships ?? []) {
    em.create(PortalMembership, {
      organization,
      portalUser: user,
      property: world.properties[m.place ?? 'rosenweg'],
      role: m.role,
      endedAt: m.ended ? now : null,
      createdAt: now,
    });
  }
  await em.flush();
  return { em, user, contactIds: contacts.map((c) => c.id) };
}

const CONTRACTS = {
  'starts in 8 days (inside the pre window)': { startsOn: '2026-12-01', endsOn: null, in: 'pre' },
  'starts in 53 days (outside the pre window)': { startsOn: '2027-01-15', endsOn: null, in: null },
  'runs now': { startsOn: '2025-01-01', endsOn: null, in: 'running' },
  'ended 13 days ago (inside the post window)': { startsOn: '2020-01-01', endsOn: '2026-11-10', in: 'post' },
  'ended 83 days ago (outside the post window)': { startsOn: '2020-01-01', endsOn: '2026-09-01', in: null },
  'ended long ago': { startsOn: '2010-01-01', endsOn: '2015-06-30', in: null },
} as const;

const WINDOWS = {
  'windows off': { pre: null, post: null },
  'pre-contract window only': { pre: 14, post: null },
  'post-contract window only': { pre: null, post: 30 },
  'both windows': { pre: 14, post: 30 },
} as const;

const ROLE: Record<ContractKind, PortalRole> = { rental: 'tenant', ownership: 'owner' };

for (const [windowsName, windows] of Object.entries(WINDOWS)) {
  describe(`accessibleProperties with ${windowsName}`, () => {
    beforeAll(() => setWindows(windows));

    for (const kind of ['rental', 'ownership'] as const) {
      for (const [contractName, contract] of Object.entries(CONTRACTS)) {
        const running = contract.in === 'running';
        const visible = running || (contract.in === 'pre' && windows.pre !== null) || (contract.in === 'post' && windows.post !== null);
        it(`${ROLE[kind]} whose contract ${contractName}: ${visible ? (running ? 'sees everything' : 'sees only personal content') : 'does not see the property'}`, async () => {
          const { em, user, contactIds } = await userWith({ contacts: [{ contracts: [{ kind, startsOn: contract.startsOn, endsOn: contract.endsOn }] }] });
          const access = (await accessibleProperties(em, user, AT)).find((a) => a.property.id === world.properties.rosenweg.id);
          if (!visible) return expect(access).toBeUndefined();
          expect(access).toMatchObject({
            roles: [ROLE[kind]],
            activeRoles: running ? [ROLE[kind]] : [],
            seesGeneralContent: running,
            contactIds,
          });
        });
      }
    }
  });
}

describe('accessibleProperties: memberships, archived contacts, several contacts (both windows on)', () => {
  beforeAll(() => setWindows({ pre: 14, post: 30 }));
  const rosenweg = () => world.properties.rosenweg.id;
  const maxPlanck = () => world.properties.maxPlanck.id;
  const recentlyEnded: ContractSpec = { kind: 'rental', startsOn: '2020-01-01', endsOn: '2026-11-10' };
  const running: ContractSpec = { kind: 'rental', startsOn: '2025-01-01', endsOn: null };

  for (const role of ['resident', 'commercial_employee'] as const) {
    it(`a ${role} membership sees general content of its property, nothing contact-specific`, async () => {
      const { em, user } = await userWith({ memberships: [{ role }] });
      const access = await accessibleProperties(em, user, AT);
      expect(access.map((a) => [a.property.id, a.roles, a.activeRoles, a.seesGeneralContent, a.contactIds])).toEqual([[rosenweg(), [role], [role], true, []]]);
    });
  }

  // A Dienstleister sees only what src/features/orders/access.ts lists (issue 23), never general content.
  it('a service_provider membership holds its role there but sees no general content', async () => {
    const { em, user } = await userWith({ memberships: [{ role: 'service_provider' }] });
    const access = await accessibleProperties(em, user, AT);
    expect(access.map((a) => [a.property.id, a.roles, a.activeRoles, a.seesGeneralContent, a.contactIds])).toEqual([
      [rosenweg(), ['service_provider'], ['service_provider'], false, []],
    ]);
  });

  it('an ended membership gives nothing', async () => {
    const { em, user } = await userWith({ memberships: [{ role: 'resident', ended: true }] });
    expect(await accessibleProperties(em, user, AT)).toEqual([]);
  });

  it('an archived contact gives nothing, even with a running contract', async () => {
    const { em, user } = await userWith({ contacts: [{ contracts: [running], archived: true }] });
    expect(await accessibleProperties(em, user, AT)).toEqual([]);
  });

  it('running on one property and window-only on another: everything there, personal content here', async () => {
    const { em, user, contactIds } = await userWith({ contacts: [{ contracts: [running] }, { contracts: [{ ...recentlyEnded, place: 'maxPlanck' }] }] });
    const access = await accessibleProperties(em, user, AT);
    expect(
      access.map((a) => ({ id: a.property.id, roles: a.roles, activeRoles: a.activeRoles, general: a.seesGeneralContent, contactIds: a.contactIds })),
    ).toEqual([
      { id: maxPlanck(), roles: ['tenant'], activeRoles: [], general: false, contactIds: [contactIds[1]] },
      { id: rosenweg(), roles: ['tenant'], activeRoles: ['tenant'], general: true, contactIds: [contactIds[0]] },
    ]);
  });

  it('running and window-only on the same property: general content, both contacts, the window role for display only', async () => {
    const { em, user, contactIds } = await userWith({ contacts: [{ contracts: [{ ...running, kind: 'ownership' }] }, { contracts: [recentlyEnded] }] });
    const [access] = await accessibleProperties(em, user, AT);
    expect(access).toMatchObject({ roles: ['tenant', 'owner'], activeRoles: ['owner'], seesGeneralContent: true });
    expect([...access.contactIds].sort()).toEqual([...contactIds].sort());
  });

  it('a Bewohner whose own contract there ended recently: general content as Bewohner, personal content through the contract', async () => {
    const { em, user, contactIds } = await userWith({ contacts: [{ contracts: [recentlyEnded] }], memberships: [{ role: 'resident' }] });
    const [access] = await accessibleProperties(em, user, AT);
    expect(access).toMatchObject({ roles: ['tenant', 'resident'], activeRoles: ['resident'], seesGeneralContent: true, contactIds });
  });

  it('portalUsersWithAccess names registered users with a running contract and Bewohner, not window-only ones or unregistered ones', async () => {
    const runningUser = (await userWith({ contacts: [{ contracts: [running] }], registered: true })).user;
    const windowOnly = (await userWith({ contacts: [{ contracts: [recentlyEnded] }], registered: true })).user;
    const bewohner = (await userWith({ memberships: [{ role: 'resident' }], registered: true })).user;
    const invitedOnly = (await userWith({ contacts: [{ contracts: [running] }] })).user;
    const em = orm.em.fork() as Em;
    scopeToOrganization(em, world.organizations.sonnenschein.id);
    for (const scope of [[rosenweg()], 'all'] as const) {
      const emails = (await portalUsersWithAccess(em, scope === 'all' ? 'all' : [...scope], AT)).map((u) => u.email);
      expect(emails).toContain(runningUser.email);
      expect(emails).toContain(bewohner.email);
      expect(emails).not.toContain(windowOnly.email);
      expect(emails).not.toContain(invitedOnly.email);
    }
  });

  it('contactsInAccessWindow tells running contracts from window-only ones and leaves out the rest', async () => {
    const { contactIds } = await userWith({
      contacts: [
        { contracts: [running] },
        { contracts: [recentlyEnded] },
        { contracts: [{ kind: 'rental', startsOn: '2020-01-01', endsOn: '2026-09-01' }] },
        { contracts: [{ kind: 'rental', startsOn: '2026-12-01', endsOn: null }] },
      ],
    });
    const em = orm.em.fork() as Em;
    const rows = await contactsInAccessWindow(em, world.organizations.sonnenschein.id, AT, { contactIds });
    const byContact = Object.fromEntries(rows.map((r) => [r.contactId, [r.propertyId, r.running]]));
    expect(byContact).toEqual({
      [contactIds[0]]: [rosenweg(), true],
      [contactIds[1]]: [rosenweg(), false],
      [contactIds[3]]: [rosenweg(), false],
    });
    await setWindows({ pre: null, post: null });
    const closed = await contactsInAccessWindow(em, world.organizations.sonnenschein.id, AT, { contactIds });
    expect(closed.map((r) => r.contactId)).toEqual([contactIds[0]]);
  });
});

describe('newContactPreference ("Standard Kontaktweg Online")', () => {
  it('is Online when the switch is on, Post when it is off', () => {
    expect(newContactPreference({ defaultContactPreferenceOnline: true })).toBe('online');
    expect(newContactPreference({ defaultContactPreferenceOnline: false })).toBe('post');
  });
});
