import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../../src/db/orm.ts';
import { scopeToOrganization } from '../../src/db/tenant.ts';
import { Contact, Contract, Property, Unit } from '../../src/entities/index.ts';
import { kindNamed } from '../../src/features/masterdata/kinds/index.ts';
import { upsertItems, type SyncOptions } from '../../src/features/masterdata/sync.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The upsert shared by the sync API and the CSV import (src/features/masterdata/sync.ts),
 * against the real database. The API and the import are tested over HTTP in their own files.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

function scoped(organizationId = app.world.organizations.sonnenschein.id): Em {
  const em = app.em();
  scopeToOrganization(em, organizationId);
  return em;
}

async function sync(kindName: string, items: unknown[], options: Partial<SyncOptions> = {}, em = scoped()) {
  const organization = app.world.organizations.sonnenschein;
  return em.transactional((tx) => upsertItems(tx as Em, kindNamed(kindName)!, items, { source: 'api', now: app.clock.now(), organization, ...options }));
}

describe('upsert by external id', () => {
  it('creates, then finds the same items unchanged, then reports exactly the changed fields', async () => {
    const items = [
      { externalId: 'S-P1', name: 'Lindenallee 5', kind: 'weg' },
      { externalId: 'S-P2', name: 'Birkenweg 7' },
    ];
    expect((await sync('properties', items)).map((r) => r.outcome)).toEqual(['created', 'created']);
    expect((await sync('properties', items)).map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    const changed = await sync('properties', [{ externalId: 'S-P1', name: 'Lindenallee 5a', kind: 'weg' }, items[1]]);
    expect(changed.map((r) => [r.outcome, r.changes])).toEqual([
      ['updated', ['name']],
      ['unchanged', undefined],
    ]);
    const stored = await scoped().findOneOrFail(Property, { externalId: 'S-P1' });
    expect([stored.name, stored.kind, stored.erpSyncedAt]).toEqual(['Lindenallee 5a', 'weg', app.clock.now()]);
  });

  it('reads null for a choice that cannot be empty as "as stored" (the default when new)', async () => {
    expect((await sync('properties', [{ externalId: 'S-P4', name: 'Ulmenhof', kind: null }]))[0].outcome).toBe('created');
    expect((await scoped().findOneOrFail(Property, { externalId: 'S-P4' })).kind).toBe('rental');
    await sync('properties', [{ externalId: 'S-P4', name: 'Ulmenhof', kind: 'weg' }]);
    expect((await sync('properties', [{ externalId: 'S-P4', name: 'Ulmenhof', kind: null }]))[0].outcome).toBe('unchanged');
    // A contact's Land has a default too (DE): null keeps it instead of failing the batch.
    expect((await sync('contacts', [{ externalId: 'S-K9', lastName: 'Linde', country: null }]))[0].outcome).toBe('created');
    expect((await scoped().findOneOrFail(Contact, { externalId: 'S-K9' })).country).toBe('DE');
  });

  it('refuses a bad item with its reasons and lets the others land', async () => {
    const results = await sync('units', [
      { externalId: 'S-U1', propertyExternalId: 'S-P1', number: 'Wohnung 1', areaSqm: 71.25 },
      { externalId: 'S-U2', propertyExternalId: 'NOPE', number: 'Wohnung 2', areaSqm: -3, colour: 'blau' },
      { externalId: 'S-U1', propertyExternalId: 'S-P1', number: 'Wohnung 1 doppelt' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'refused', 'refused']);
    expect(results[1].problems!.map((p) => `${p.field}:${p.code}`).sort()).toEqual(['areaSqm:too_small', 'colour:unknown_field']);
    expect(results[2].problems).toEqual([{ code: 'duplicate_external_id', field: 'externalId', params: { first: 0 } }]);
    const unknownProperty = await sync('units', [{ externalId: 'S-U2', propertyExternalId: 'NOPE', number: 'Wohnung 2' }]);
    expect(unknownProperty[0].problems).toEqual([{ code: 'unknown_reference', field: 'propertyExternalId', params: { id: 'NOPE' } }]);
    expect(await scoped().count(Unit, { externalId: { $in: ['S-U1', 'S-U2'] } })).toBe(1);
  });

  it('does not see the external ids of another Verwaltung', async () => {
    const nordhaus = app.world.organizations.nordhaus;
    const em = scoped(nordhaus.id);
    const results = await em.transactional((tx) =>
      upsertItems(tx as Em, kindNamed('units')!, [{ externalId: 'N-U1', propertyExternalId: 'S-P1', number: 'Fremd' }], {
        source: 'api',
        now: app.clock.now(),
        organization: nordhaus,
      }),
    );
    expect(results[0]).toMatchObject({ outcome: 'refused', problems: [{ code: 'unknown_reference' }] });
  });

  it('links contracts to contacts and compares them as a set', async () => {
    await sync('contacts', [
      { externalId: 'S-K1', lastName: 'Ahorn', firstName: 'Anna' },
      { externalId: 'S-K2', type: 'company', companyName: 'Ahorn GmbH' },
    ]);
    const contract = { externalId: 'S-V1', unitExternalId: 'S-U1', contactExternalIds: ['S-K1', 'S-K2'], kind: 'rental', startsOn: '2026-01-01' };
    expect((await sync('contracts', [contract]))[0].outcome).toBe('created');
    expect((await sync('contracts', [{ ...contract, contactExternalIds: ['S-K2', 'S-K1'] }]))[0].outcome).toBe('unchanged');
    const ended = await sync('contracts', [{ ...contract, contactExternalIds: ['S-K1'], endsOn: '2025-12-31' }]);
    expect(ended[0]).toMatchObject({ outcome: 'refused', problems: [{ code: 'ends_before_start', field: 'endsOn' }] });
    const fewer = await sync('contracts', [{ ...contract, contactExternalIds: ['S-K1'] }]);
    expect(fewer[0]).toMatchObject({ outcome: 'updated', changes: ['contactExternalIds'] });
    const stored = await scoped().findOneOrFail(Contract, { externalId: 'S-V1' }, { populate: ['contacts'] });
    expect(stored.contacts.getItems().map((c) => c.lastName)).toEqual(['Ahorn']);
  });

  it('previews without writing (dry run) and refuses CSV changes to what the ERP keeps', async () => {
    const preview = await sync('properties', [{ externalId: 'S-P3', name: 'Nur Vorschau' }], { dryRun: true, source: 'csv' });
    expect(preview[0].outcome).toBe('created');
    expect(await scoped().count(Property, { externalId: 'S-P3' })).toBe(0);
    const csv = await sync('properties', [{ externalId: 'S-P1', name: 'Per CSV geändert', kind: 'weg' }], { source: 'csv' });
    expect(csv[0]).toMatchObject({ outcome: 'refused', problems: [{ code: 'erp_owned' }] });
  });
});
