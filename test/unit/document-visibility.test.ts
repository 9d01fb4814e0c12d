import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Em, Orm } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import {
  AdvisoryBoardMember,
  Contact,
  Contract,
  Document,
  DocumentShare,
  DocumentType,
  PortalMembership,
  PortalUser,
  Property,
  Unit,
  type ContractKind,
  type MembershipRole,
} from '../../src/entities/index.ts';
import { accessibleProperties, previewAccess } from '../../src/features/access/service.ts';
import { addShares, type ShareTarget } from '../../src/features/documents/service.ts';
import { documentRecipients, newlySharedDocuments, visibleDocument, visibleDocumentIds } from '../../src/features/documents/visibility.ts';
import { openTestDatabase } from '../support/db.ts';
import { loadWorld, type World } from '../support/world.ts';

/**
 * The one rule of src/features/documents/visibility.ts, table-driven: for each way of
 * sharing, who sees the document in Rosenweg 24 and who does not. Every case is checked
 * through both paths of the rule — the request path (one user's loaded access) and the
 * set-based path (digest, recipient lists) — which must agree.
 */
let orm: Orm;
let drop: () => Promise<void>;
let world: World;

// Noon in Berlin on 2026-11-23; the demo Verwaltung's windows: 30 days before, 60 after.
const AT = new Date('2026-11-23T11:00:00Z');

beforeAll(async () => {
  ({ orm, drop } = await openTestDatabase(inject('testDatabase'), inject('templateDatabase')));
  world = await loadWorld(orm.em.fork() as Em);
});
afterAll(() => drop?.());

function scoped() {
  const em = orm.em.fork() as Em;
  scopeToOrganization(em, world.organizations.sonnenschein.id);
  return em;
}

let counter = 0;

type Person = { contracts?: Array<{ kind: ContractKind; unit: string; startsOn: string; endsOn?: string }>; membership?: MembershipRole; board?: boolean };

/** A registered portal user in Rosenweg 24 with one contact and the given contracts/membership. */
async function person(spec: Person) {
  const em = scoped();
  const organization = world.organizations.sonnenschein;
  const now = new Date();
  const contact = em.create(Contact, { organization, lastName: `Sichtbarkeit ${++counter}`, createdAt: now, updatedAt: now });
  for (const c of spec.contracts ?? []) {
    const unit = await em.findOneOrFail(Unit, { property: world.properties.rosenweg, number: c.unit });
    em.create(Contract, { organization, kind: c.kind, unit, contacts: [contact], startsOn: c.startsOn, endsOn: c.endsOn ?? null, createdAt: now });
  }
  const user = em.create(PortalUser, {
    organization,
    email: `sicht-${counter}@example.de`,
    name: 'Test',
    passwordHash: 'x',
    createdAt: now,
    contacts: spec.membership ? [] : [contact],
  });
  if (spec.membership)
    em.create(PortalMembership, { organization, portalUser: user, property: world.properties.rosenweg, role: spec.membership, createdAt: now });
  if (spec.board) em.create(AdvisoryBoardMember, { organization, property: world.properties.rosenweg, contact, createdAt: now });
  await em.flush();
  return { user, contact };
}

/** A published document of Rosenweg 24 (or of no property) with the given shares. */
async function documentWith(
  shares: (ids: Ids) => ShareTarget[],
  options: { property?: 'rosenweg' | 'maxPlanck' | null; status?: 'published' | 'withdrawn' } = {},
) {
  const em = scoped();
  const type = await em.findOneOrFail(DocumentType, { name: 'Hausordnung' });
  const propertyKey = options.property === undefined ? 'rosenweg' : options.property;
  const document = em.create(Document, {
    organization: world.organizations.sonnenschein,
    property: propertyKey ? world.properties[propertyKey] : null,
    type,
    title: `Dokument ${++counter}`,
    status: options.status ?? 'published',
    fileName: 'a.pdf',
    mimeType: 'application/pdf',
    size: 1,
    storageKey: '00/' + '0'.repeat(40),
    publishedAt: AT,
    createdBy: world.staff.manager,
  });
  addShares(em, document, shares(ids), AT);
  await em.flush();
  return document;
}

type Ids = { rosenweg: string; address: string; unit001: string; unit002: string; contacts: Record<string, string> };
let ids: Ids;
type Who =
  | 'tenant001'
  | 'tenant002'
  | 'owner001'
  | 'boardOwner'
  | 'boardTenantEnded'
  | 'resident'
  | 'serviceProvider'
  | 'futureTenant'
  | 'formerTenant'
  | 'formerTenantLongAgo';
const people = {} as Record<Who, { user: PortalUser; contact: Contact }>;

beforeAll(async () => {
  const em = scoped();
  const units = await em.find(Unit, { property: world.properties.rosenweg, number: { $in: ['Wohnung 001', 'Wohnung 002'] } }, { orderBy: { number: 'asc' } });
  people.tenant001 = await person({ contracts: [{ kind: 'rental', unit: 'Wohnung 001', startsOn: '2025-01-01' }] });
  people.tenant002 = await person({ contracts: [{ kind: 'rental', unit: 'Wohnung 002', startsOn: '2025-01-01' }] });
  people.owner001 = await person({ contracts: [{ kind: 'ownership', unit: 'Wohnung 001', startsOn: '2010-01-01' }] });
  people.boardOwner = await person({ contracts: [{ kind: 'ownership', unit: 'Wohnung 003', startsOn: '2010-01-01' }], board: true });
  // On the Beirat, but the contract ended 10 days ago (inside the 60-day window): no group sharing.
  people.boardTenantEnded = await person({
    contracts: [{ kind: 'ownership', unit: 'Wohnung 004', startsOn: '2010-01-01', endsOn: '2026-11-13' }],
    board: true,
  });
  people.resident = await person({ membership: 'resident' });
  people.serviceProvider = await person({ membership: 'service_provider' });
  people.futureTenant = await person({ contracts: [{ kind: 'rental', unit: 'Wohnung 005', startsOn: '2026-12-01' }] });
  people.formerTenant = await person({ contracts: [{ kind: 'rental', unit: 'Wohnung 006', startsOn: '2020-01-01', endsOn: '2026-10-31' }] });
  people.formerTenantLongAgo = await person({ contracts: [{ kind: 'rental', unit: 'Wohnung 006', startsOn: '2010-01-01', endsOn: '2019-12-31' }] });
  ids = {
    rosenweg: world.properties.rosenweg.id,
    address: units[0].address!.id,
    unit001: units[0].id,
    unit002: units[1].id,
    contacts: Object.fromEntries(Object.entries(people).map(([who, p]) => [who, p.contact.id])),
  };
});

/** Who sees the document in Rosenweg 24, by the request path; checks that the set-based path agrees. */
async function whoSees(document: Document): Promise<Who[]> {
  const em = scoped();
  const seen: Who[] = [];
  for (const who of Object.keys(people) as Who[]) {
    const access = (await accessibleProperties(em, people[who].user, AT)).find((a) => a.property.id === ids.rosenweg);
    if (access && (await visibleDocumentIds(em, { user: people[who].user, access })).includes(document.id)) {
      seen.push(who);
      expect((await visibleDocument(em, { user: people[who].user, access }, document.id))?.id).toBe(document.id);
    } else if (access) {
      expect(await visibleDocument(em, { user: people[who].user, access }, document.id)).toBeNull();
    }
  }
  const recipients = await documentRecipients(em, world.organizations.sonnenschein.id, AT, [document.id]);
  const byUser = new Map(Object.entries(people).map(([who, p]) => [p.user.id, who as Who]));
  const setBased = recipients.filter((r) => byUser.has(r.portalUserId)).map((r) => byUser.get(r.portalUserId)!);
  expect(new Set(setBased)).toEqual(new Set(seen));
  return seen.sort();
}

const inPreview = async (document: Document) =>
  (await visibleDocumentIds(scoped(), { user: null, access: previewAccess(await scoped().findOneOrFail(Property, ids.rosenweg)) })).includes(document.id);

describe('who sees a document of Rosenweg 24', () => {
  const cases: Array<{ name: string; shares: (i: Ids) => ShareTarget[]; sees: Who[]; preview: boolean }> = [
    {
      // Dienstleister see only documents shared with their group (issue 23, src/features/orders/access.ts).
      name: 'the whole property: everyone with general content, Bewohner included, not Dienstleister, not the windows',
      shares: (i) => [{ kind: 'property', propertyId: i.rosenweg }],
      sees: ['boardOwner', 'owner001', 'resident', 'tenant001', 'tenant002'],
      preview: true,
    },
    {
      name: 'Mieter (seed 003, case 1): running rental contracts only',
      shares: (i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'tenant' }],
      sees: ['tenant001', 'tenant002'],
      preview: true,
    },
    { name: 'Eigentümer', shares: (i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'owner' }], sees: ['boardOwner', 'owner001'], preview: true },
    {
      name: 'Beirat: only next to a running contract',
      shares: (i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'advisory_board' }],
      sees: ['boardOwner'],
      preview: true,
    },
    { name: 'Bewohner', shares: (i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'resident' }], sees: ['resident'], preview: true },
    { name: 'Dienstleister', shares: (i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'service_provider' }], sees: ['serviceProvider'], preview: true },
    {
      name: 'an address: running contracts on its units, no Bewohner',
      shares: (i) => [{ kind: 'address', addressId: i.address }],
      sees: ['boardOwner', 'owner001', 'tenant001', 'tenant002'],
      preview: true,
    },
    {
      name: 'a unit: its tenants and owners, never the preview',
      shares: (i) => [{ kind: 'unit', unitId: i.unit001 }],
      sees: ['owner001', 'tenant001'],
      preview: false,
    },
    {
      name: 'a contact individually: that contact only',
      shares: (i) => [{ kind: 'contact', contactId: i.contacts.tenant002 }],
      sees: ['tenant002'],
      preview: false,
    },
    {
      name: 'contacts individually reach them inside the access windows (seed 002)',
      shares: (i) => [
        { kind: 'contact', contactId: i.contacts.futureTenant },
        { kind: 'contact', contactId: i.contacts.formerTenant },
        { kind: 'contact', contactId: i.contacts.formerTenantLongAgo },
      ],
      sees: ['formerTenant', 'futureTenant'],
      preview: false,
    },
    {
      name: 'shares combine',
      shares: (i) => [
        { kind: 'unit', unitId: i.unit002 },
        { kind: 'group', propertyId: i.rosenweg, group: 'resident' },
      ],
      sees: ['resident', 'tenant002'],
      preview: true,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const document = await documentWith(c.shares);
      expect(await whoSees(document)).toEqual([...c.sees].sort());
      expect(await inPreview(document)).toBe(c.preview);
    });
  }

  it('a withdrawn document reaches nobody', async () => {
    const document = await documentWith((i) => [{ kind: 'property', propertyId: i.rosenweg }], { status: 'withdrawn' });
    expect(await whoSees(document)).toEqual([]);
    expect(await inPreview(document)).toBe(false);
  });

  it('a document of another property does not show in Rosenweg 24, even shared with a contact there', async () => {
    const document = await documentWith((i) => [{ kind: 'contact', contactId: i.contacts.tenant001 }], { property: 'maxPlanck' });
    expect(await whoSees(document)).toEqual([]);
  });

  it('a document without property (shared from the contact page) shows wherever the contact has access', async () => {
    const document = await documentWith((i) => [{ kind: 'contact', contactId: i.contacts.tenant001 }], { property: null });
    expect(await whoSees(document)).toEqual(['tenant001']);
  });

  it('never reaches another Verwaltung', async () => {
    const document = await documentWith((i) => [{ kind: 'property', propertyId: i.rosenweg }]);
    const nordhaus = orm.em.fork() as Em;
    scopeToOrganization(nordhaus, world.organizations.nordhaus.id);
    const frieda = await nordhaus.findOneOrFail(PortalUser, { id: world.portalUsers.frieda.id });
    for (const access of await accessibleProperties(nordhaus, frieda, AT)) {
      expect(await visibleDocumentIds(nordhaus, { user: frieda, access })).not.toContain(document.id);
    }
    const recipients = await documentRecipients(nordhaus, world.organizations.nordhaus.id, AT, [document.id]);
    expect(recipients).toEqual([]);
  });
});

describe('newlySharedDocuments (the digest)', () => {
  it('names the shares added in the period, for the users they reach', async () => {
    const document = await documentWith((i) => [{ kind: 'group', propertyId: i.rosenweg, group: 'tenant' }]);
    const em = scoped();
    const from = new Date(AT.getTime() - 60_000);
    const until = new Date(AT.getTime() + 60_000);
    const ours = new Set(Object.values(people).map((p) => p.user.id));
    const rows = (await newlySharedDocuments(em, world.organizations.sonnenschein.id, AT, from, until, '2026-11-23')).filter(
      (r) => r.documentId === document.id && ours.has(r.portalUserId),
    );
    expect(rows.map((r) => r.portalUserId).sort()).toEqual([people.tenant001.user.id, people.tenant002.user.id].sort());
    const later = await newlySharedDocuments(em, world.organizations.sonnenschein.id, AT, until, new Date(until.getTime() + 60_000), '2026-11-23');
    expect(later.filter((r) => r.documentId === document.id)).toEqual([]);
    expect(await em.count(DocumentShare, { document })).toBe(1);
  });

  it('a share added to a document the user already had is not news', async () => {
    // Shared with the whole property two days ago; "Mieter" added now.
    const em = scoped();
    const document = await documentWith((i) => [{ kind: 'property', propertyId: i.rosenweg }]);
    await em.nativeUpdate(DocumentShare, { document: document.id }, { createdAt: new Date(AT.getTime() - 2 * 86_400_000) });
    addShares(em, await em.findOneOrFail(Document, document.id), [{ kind: 'group', propertyId: ids.rosenweg, group: 'tenant' }], AT);
    await em.flush();
    const from = new Date(AT.getTime() - 60_000);
    const until = new Date(AT.getTime() + 60_000);
    const rows = await newlySharedDocuments(em, world.organizations.sonnenschein.id, AT, from, until, '2026-11-23');
    expect(rows.filter((r) => r.documentId === document.id)).toEqual([]);
  });
});
