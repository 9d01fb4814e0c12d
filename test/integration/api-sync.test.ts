import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/features/api-keys/service.ts';
import { ApiKey, Contact, Contract, Organization, Property, Unit } from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import { KINDS } from '../../src/features/masterdata/kinds/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * The master-data sync API (src/features/masterdata/api.ts) over real HTTP: keys, tenant
 * isolation by external id, per-item results with English messages, idempotence, archive.
 * The upsert's rules themselves are tested in masterdata-sync.test.ts.
 */

const NORDHAUS_KEY = 'hp_test_nordhaus_0123456789abcdef01234567';
const REVOKED_KEY = 'hp_test_revoked_0123456789abcdef012345678';
const FRESH_KEY = 'hp_test_fresh_0123456789abcdef0123456789a';

type ApiError = { error: { code: string; message: string } };
type ItemError = { code: string; field: string | null; message: string };
type BatchAnswer = {
  results: Array<{ index: number; externalId: string | null; status: string; id?: string; changes?: string[]; errors?: ItemError[] }>;
  summary: Record<string, number>;
};
type RecordAnswer = Record<string, unknown> & { id: string; externalId: string; archived: boolean; erpSyncedAt: string | null; updatedAt: string };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const em = app.em();
  const key = (organization: Organization, name: string, plain: string, revokedAt: Date | null = null) =>
    em.create(ApiKey, { organization, name, prefix: plain.slice(0, 12), keyHash: hashApiKey(plain), createdAt: new Date(), revokedAt });
  const { sonnenschein, nordhaus } = app.world.organizations;
  key(em.getReference(Organization, nordhaus.id), 'Nordhaus-ERP', NORDHAUS_KEY);
  key(em.getReference(Organization, sonnenschein.id), 'Widerrufen', REVOKED_KEY, new Date());
  key(em.getReference(Organization, sonnenschein.id), 'Frisch', FRESH_KEY);
  await em.flush();
});
afterAll(() => app?.close());

function request(method: string, path: string, options: { key?: string | null; body?: unknown; raw?: string; contentType?: string } = {}) {
  const key = options.key === undefined ? DEMO_API_KEY : options.key;
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return fetch(`${app.baseUrl}/api/v1${path}`, { method, headers, body });
}

async function put(kind: string, items: unknown[], key?: string): Promise<BatchAnswer> {
  const response = await request('PUT', `/${kind}`, { key, body: { items } });
  expect(response.status).toBe(200);
  return (await response.json()) as BatchAnswer;
}

async function get(kind: string, externalId: string, key?: string) {
  const response = await request('GET', `/${kind}/${encodeURIComponent(externalId)}`, { key });
  return { status: response.status, body: (await response.json()) as RecordAnswer & ApiError };
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ApiError;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/^[A-Z]/);
  return body;
}

const sonnenscheinScope = () => ({ filters: { tenant: false } as const });

describe('API keys', () => {
  it('refuses a missing, wrong or revoked key with 401 and writes nothing', async () => {
    const item = { items: [{ externalId: 'KEY-P1', name: 'Ohne Schlüssel' }] };
    await expectError(await request('PUT', '/properties', { key: null, body: item }), 401, 'unauthorized');
    await expectError(await request('PUT', '/properties', { key: 'hp_demo_wrong', body: item }), 401, 'unauthorized');
    await expectError(await request('PUT', '/properties', { key: REVOKED_KEY, body: item }), 401, 'unauthorized');
    await expectError(await request('GET', '/properties/KEY-P1', { key: REVOKED_KEY }), 401, 'unauthorized');
    expect(await app.em().count(Property, { externalId: 'KEY-P1' }, sonnenscheinScope())).toBe(0);
  });

  it('notes when a key was last used, at most once a minute', async () => {
    const lastUsed = async () => (await app.em().findOneOrFail(ApiKey, { name: 'Frisch' }, sonnenscheinScope())).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const first = app.clock.now();
    expect((await request('GET', '/status', { key: FRESH_KEY })).status).toBe(200);
    expect(await lastUsed()).toEqual(first);
    app.clock.advance(30_000);
    expect((await request('GET', '/properties/GIBT-ES-NICHT', { key: FRESH_KEY })).status).toBe(404);
    expect(await lastUsed()).toEqual(first);
    app.clock.advance(31_000);
    expect((await request('GET', '/status', { key: FRESH_KEY })).status).toBe(200);
    expect(await lastUsed()).toEqual(app.clock.now());
  });
});

describe('PUT /api/v1/{kind}', () => {
  it('lands the good items of a batch and refuses the bad ones with code and English message, writing nothing of them', async () => {
    const properties = await put('properties', [
      { externalId: 'B-P1', name: 'Lindenallee 5', kind: 'weg' },
      { externalId: 'B-P2', name: 'Birkenweg 7' },
    ]);
    expect(properties.results.map((r) => [r.index, r.externalId, r.status])).toEqual([
      [0, 'B-P1', 'created'],
      [1, 'B-P2', 'created'],
    ]);
    expect(properties.summary).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 0 });

    const units = await put('units', [
      { externalId: 'B-U1', propertyExternalId: 'B-P1', number: 'Wohnung 1', areaSqm: 71.25 },
      { externalId: 'B-U2', propertyExternalId: 'GIBT-ES-NICHT', number: 'Wohnung 2' },
      { externalId: 'B-U3', propertyExternalId: 'B-P1', number: 'Wohnung 3', colour: 'blau' },
      { externalId: 'B-U1', propertyExternalId: 'B-P2', number: 'Wohnung 1 doppelt' },
      { externalId: 'B-U4', propertyExternalId: 'B-P1' },
      'keine Einheit',
      { externalId: 'B-U5', propertyExternalId: 'B-P1', number: 'Wohnung 5', areaSqm: 'groß' },
    ]);
    expect(units.results.map((r) => r.status)).toEqual(['created', 'refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    expect(units.summary).toEqual({ created: 1, updated: 0, unchanged: 0, refused: 6 });
    expect(units.results[1].errors).toEqual([
      { code: 'unknown_reference', field: 'propertyExternalId', message: 'propertyExternalId "GIBT-ES-NICHT" is not known.' },
    ]);
    expect(units.results[2].errors).toEqual([{ code: 'unknown_field', field: 'colour', message: 'Unknown field "colour".' }]);
    expect(units.results[3].errors).toEqual([
      { code: 'duplicate_external_id', field: 'externalId', message: 'The external ID occurs earlier in this batch (item 0).' },
    ]);
    expect(units.results[4].errors).toEqual([{ code: 'required', field: 'number', message: 'number: required.' }]);
    expect(units.results[5]).toMatchObject({ externalId: null, errors: [{ code: 'not_an_object', field: null }] });
    expect(units.results[6].errors).toEqual([{ code: 'invalid_number', field: 'areaSqm', message: 'areaSqm: not a valid number.' }]);

    const stored = await app.em().find(Unit, { externalId: { $like: 'B-U%' } }, { ...sonnenscheinScope(), populate: ['property'] });
    expect(stored.map((u) => [u.externalId, u.number, u.property.externalId])).toEqual([['B-U1', 'Wohnung 1', 'B-P1']]);
  });

  it('refuses an invalid date and an invalid choice with their field', async () => {
    await put('contacts', [{ externalId: 'D-K1', lastName: 'Datum' }]);
    await put('units', [{ externalId: 'D-U1', propertyExternalId: 'B-P1', number: 'Wohnung D' }]);
    const answer = await put('contracts', [
      { externalId: 'D-V1', unitExternalId: 'D-U1', contactExternalIds: ['D-K1'], kind: 'rental', startsOn: '2026-02-30' },
      { externalId: 'D-V2', unitExternalId: 'D-U1', contactExternalIds: ['D-K1'], kind: 'leasing', startsOn: '2026-02-01' },
    ]);
    expect(answer.results.map((r) => r.errors)).toEqual([
      [{ code: 'invalid_date', field: 'startsOn', message: 'startsOn: not a valid date (YYYY-MM-DD).' }],
      [{ code: 'invalid_choice', field: 'kind', message: 'kind: unknown value. Allowed: rental, ownership.' }],
    ]);
    expect(await app.em().count(Contract, { externalId: { $in: ['D-V1', 'D-V2'] } }, sonnenscheinScope())).toBe(0);
  });

  it("takes a contact's Land as a two-letter code (lower case upper-cased) and refuses anything else with its field", async () => {
    const answer = await put('contacts', [
      { externalId: 'C-K1', lastName: 'Alpen', country: 'at' },
      { externalId: 'C-K2', lastName: 'Deutschland', country: 'Deutschland' },
      { externalId: 'C-K3', lastName: 'Ziffer', country: 'D1' },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual(['created', 'refused', 'refused']);
    const invalid = { code: 'invalid_country', field: 'country', message: 'country: not a two-letter country code (ISO 3166-1 alpha-2, e.g. DE, AT).' };
    expect(answer.results.slice(1).map((r) => r.errors)).toEqual([[invalid], [invalid]]);
    expect((await get('contacts', 'C-K1')).body.country).toBe('AT');
    expect(await app.em().count(Contact, { externalId: { $in: ['C-K2', 'C-K3'] } }, sonnenscheinScope())).toBe(0);
  });

  it('changes nothing when the same batch comes again', async () => {
    const items = [
      { externalId: 'I-P1', name: 'Gleich 1', kind: 'rental' },
      { externalId: 'I-P2', name: 'Gleich 2' },
    ];
    const first = await put('properties', items);
    expect(first.summary.created).toBe(2);
    const before = await Promise.all(items.map((item) => get('properties', item.externalId)));
    const again = await put('properties', items);
    expect(again.results.map((r) => [r.status, r.id, r.changes])).toEqual(first.results.map((r) => ['unchanged', r.id, undefined]));
    expect(again.summary).toEqual({ created: 0, updated: 0, unchanged: 2, refused: 0 });
    const after = await Promise.all(items.map((item) => get('properties', item.externalId)));
    expect(after.map((a) => [a.body.updatedAt, a.body.erpSyncedAt])).toEqual(before.map((b) => [b.body.updatedAt, b.body.erpSyncedAt]));

    // A changed field is reported by name; an absent optional field keeps its value.
    const changed = await put('properties', [{ externalId: 'I-P1', name: 'Gleich 1a' }, items[1]]);
    expect(changed.results.map((r) => [r.status, r.changes])).toEqual([
      ['updated', ['name']],
      ['unchanged', undefined],
    ]);
    expect((await get('properties', 'I-P1')).body).toMatchObject({ name: 'Gleich 1a', kind: 'rental' });
  });

  it('keeps an absent optional field and clears one sent as null', async () => {
    await put('service-providers', [{ externalId: 'N-D1', name: 'Schulz', trade: 'Heizung', phone: '030 1' }]);
    const cleared = await put('service-providers', [{ externalId: 'N-D1', name: 'Schulz', trade: null }]);
    expect(cleared.results[0]).toMatchObject({ status: 'updated', changes: ['trade'] });
    expect((await get('service-providers', 'N-D1')).body).toMatchObject({ trade: null, phone: '030 1' });
  });

  it('refuses empty, oversized and malformed bodies as a whole', async () => {
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ externalId: `Z-${i}`, name: `Zu viele ${i}` }));
    await expectError(await request('PUT', '/properties', { body: { items: tooMany } }), 400, 'batch_too_large');
    await expectError(await request('PUT', '/properties', { body: { items: [] } }), 400, 'invalid_body');
    await expectError(await request('PUT', '/properties', { body: [{ externalId: 'Z-1', name: 'Ohne items' }] }), 400, 'invalid_body');
    await expectError(await request('PUT', '/properties', { body: { items: 'Z-1' } }), 400, 'invalid_body');
    const malformed = await expectError(await request('PUT', '/properties', { raw: '{"items": [{"externalId": "Z-1",}' }), 400, 'invalid_json');
    expect(malformed.error.message).toMatch(/^The body is not valid JSON/);
    await expectError(
      await request('PUT', '/properties', { raw: 'externalId=Z-1', contentType: 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
    const huge = JSON.stringify({ items: [{ externalId: 'Z-1', name: 'x'.repeat(11 * 1024 * 1024) }] });
    await expectError(await request('PUT', '/properties', { raw: huge }), 413, 'payload_too_large');
    expect(await app.em().count(Property, { externalId: { $like: 'Z-%' } }, sonnenscheinScope())).toBe(0);
  });

  it('answers unknown kinds with a JSON 404', async () => {
    await expectError(await request('PUT', '/accounts', { body: { items: [{ externalId: 'X' }] } }), 404, 'not_found');
    await expectError(await request('GET', '/accounts/X'), 404, 'not_found');
  });

  it.skipIf(inject('testDatabase').kind === 'embedded')(
    'answers 409 and writes nothing when a concurrent batch creates the same external id first (PostgreSQL only)',
    async () => {
      const em = app.em();
      let answer!: Promise<Response>;
      await em.transactional(async (tx) => {
        // The other batch has inserted RACE-1 but not yet committed: the API sees it missing.
        tx.create(Property, {
          organization: tx.getReference(Organization, app.world.organizations.sonnenschein.id),
          name: 'Zuerst',
          kind: 'weg',
          externalId: 'RACE-1',
        });
        await tx.flush();
        answer = request('PUT', '/properties', {
          body: {
            items: [
              { externalId: 'RACE-0', name: 'Neu' },
              { externalId: 'RACE-1', name: 'Zugleich' },
            ],
          },
        });
        await waitForLockWait();
      });
      const response = await answer;
      await expectError(response, 409, 'conflict');
      expect(response.headers.get('retry-after')).toBe('1');
      const stored = await app.em().find(Property, { externalId: { $like: 'RACE-%' } }, sonnenscheinScope());
      expect(stored.map((p) => [p.externalId, p.name])).toEqual([['RACE-1', 'Zuerst']]);
      // Sent again, the batch lands.
      expect(
        (
          await put('properties', [
            { externalId: 'RACE-0', name: 'Neu' },
            { externalId: 'RACE-1', name: 'Zugleich' },
          ])
        ).results.map((r) => r.status),
      ).toEqual(['created', 'updated']);
    },
  );
});

/** Waits until some statement of this database waits for a lock (the API's insert behind ours). */
async function waitForLockWait() {
  const em = app.em();
  for (let attempt = 0; attempt < 500; attempt++) {
    const [row] = await em
      .getConnection()
      .execute<Array<{ waiting: number }>>(
        "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
    if (row.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the API request never waited for the lock');
}

describe('GET, DELETE and archive', () => {
  it('answers a record in API field names, references as external ids', async () => {
    await put('properties', [{ externalId: 'G-P1', name: 'Gartenweg 1', kind: 'rental' }]);
    await put('addresses', [{ externalId: 'G-A1', propertyExternalId: 'G-P1', street: 'Gartenweg', houseNumber: '1', postalCode: '10115', city: 'Berlin' }]);
    await put('units', [{ externalId: 'G-U1', propertyExternalId: 'G-P1', addressExternalId: 'G-A1', number: 'Wohnung 1', areaSqm: 65.5 }]);
    await put('contacts', [
      { externalId: 'G-K1', lastName: 'Garten', firstName: 'Gerda', email: 'gerda@example.org' },
      { externalId: 'G-K2', type: 'company', companyName: 'Garten GmbH' },
    ]);
    const contract = await put('contracts', [
      { externalId: 'G/V 1', unitExternalId: 'G-U1', contactExternalIds: ['G-K1', 'G-K2'], kind: 'rental', startsOn: '2026-01-01' },
    ]);

    const unit = await get('units', 'G-U1');
    expect(unit.status).toBe(200);
    expect(unit.body).toEqual({
      externalId: 'G-U1',
      id: expect.any(String),
      propertyExternalId: 'G-P1',
      addressExternalId: 'G-A1',
      number: 'Wohnung 1',
      kind: 'apartment',
      areaSqm: 65.5,
      floor: null,
      archived: false,
      erpSyncedAt: app.clock.now().toISOString(),
      updatedAt: expect.any(String),
    });
    const stored = await get('contracts', 'G/V 1');
    expect(stored.body).toMatchObject({
      id: contract.results[0].id,
      unitExternalId: 'G-U1',
      kind: 'rental',
      startsOn: '2026-01-01',
      endsOn: null,
      contractNumber: null,
      archived: false,
    });
    expect((stored.body.contactExternalIds as string[]).sort()).toEqual(['G-K1', 'G-K2']);

    const demo = await get('properties', app.world.properties.rosenweg.externalId!);
    // Rosenweg 24 is ERP-owned in the demo data (src/features/demo/seed.ts).
    expect(demo.body).toMatchObject({
      id: app.world.properties.rosenweg.id,
      name: 'Rosenweg 24',
      erpSyncedAt: app.world.properties.rosenweg.erpSyncedAt!.toISOString(),
    });
    await expectError(await request('GET', '/units/GIBT-ES-NICHT'), 404, 'not_found');
  });

  it('archives on DELETE, and a later PUT restores the record', async () => {
    await put('properties', [{ externalId: 'A-P1', name: 'Archivweg 1' }]);
    const deleted = await request('DELETE', '/properties/A-P1');
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ externalId: 'A-P1', id: expect.any(String), status: 'archived' });
    expect((await get('properties', 'A-P1')).body.archived).toBe(true);
    expect(await (await request('DELETE', '/properties/A-P1')).json()).toMatchObject({ status: 'unchanged' });
    await expectError(await request('DELETE', '/properties/GIBT-ES-NICHT'), 404, 'not_found');

    const restored = await put('properties', [{ externalId: 'A-P1', name: 'Archivweg 1' }]);
    expect(restored.results[0]).toMatchObject({ status: 'updated', changes: ['archived'] });
    expect((await get('properties', 'A-P1')).body.archived).toBe(false);
  });

  it('archives a list of external ids in one request, unknown ones reported per id', async () => {
    await put('service-providers', [
      { externalId: 'A-D1', name: 'Hausmeister Eins' },
      { externalId: 'A-D2', name: 'Hausmeister Zwei' },
    ]);
    await request('DELETE', '/service-providers/A-D2');
    const response = await request('POST', '/service-providers/archive', { body: { externalIds: ['A-D1', 'A-D2', 'GIBT-ES-NICHT'] } });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as BatchAnswer;
    expect(answer.results.map((r) => [r.index, r.externalId, r.status])).toEqual([
      [0, 'A-D1', 'archived'],
      [1, 'A-D2', 'unchanged'],
      [2, 'GIBT-ES-NICHT', 'not_found'],
    ]);
    expect(answer.summary).toEqual({ archived: 1, unchanged: 1, not_found: 1 });
    expect((await get('service-providers', 'A-D1')).body.archived).toBe(true);
    const tooMany = Array.from({ length: 1001 }, (_, i) => `A-${i}`);
    await expectError(await request('POST', '/service-providers/archive', { body: { externalIds: tooMany } }), 400, 'batch_too_large');
    await expectError(await request('POST', '/service-providers/archive', { body: { externalIds: [42] } }), 400, 'invalid_body');
  });
});

describe('another Verwaltung', () => {
  it('cannot read, archive or reference the external ids of Sonnenschein', async () => {
    const rosenweg = app.world.properties.rosenweg;
    expect((await get('properties', rosenweg.externalId!, NORDHAUS_KEY)).status).toBe(404);
    await expectError(await request('DELETE', `/properties/${rosenweg.externalId}`, { key: NORDHAUS_KEY }), 404, 'not_found');
    const batch = (await (
      await request('POST', '/properties/archive', { key: NORDHAUS_KEY, body: { externalIds: [rosenweg.externalId] } })
    ).json()) as BatchAnswer;
    expect(batch.results[0].status).toBe('not_found');
    expect((await get('properties', rosenweg.externalId!)).body.archived).toBe(false);

    const unit = await put('units', [{ externalId: 'N-U1', propertyExternalId: rosenweg.externalId, number: 'Fremd' }], NORDHAUS_KEY);
    expect(unit.results[0]).toMatchObject({ status: 'refused', errors: [{ code: 'unknown_reference', field: 'propertyExternalId' }] });
    expect(await app.em().count(Unit, { externalId: 'N-U1' }, sonnenscheinScope())).toBe(0);
  });

  it('keeps the same external id in two Verwaltungen as two records', async () => {
    const sonne = await put('properties', [{ externalId: 'GEMEINSAM-1', name: 'Sonnenseite' }]);
    const nord = await put('properties', [{ externalId: 'GEMEINSAM-1', name: 'Nordseite' }], NORDHAUS_KEY);
    expect([sonne.results[0].status, nord.results[0].status]).toEqual(['created', 'created']);
    expect(nord.results[0].id).not.toBe(sonne.results[0].id);
    expect((await get('properties', 'GEMEINSAM-1')).body).toMatchObject({ id: sonne.results[0].id, name: 'Sonnenseite' });
    expect((await get('properties', 'GEMEINSAM-1', NORDHAUS_KEY)).body).toMatchObject({ id: nord.results[0].id, name: 'Nordseite' });
    const stored = await app.em().find(Property, { externalId: 'GEMEINSAM-1' }, { ...sonnenscheinScope(), populate: ['organization'] });
    expect(stored.map((p) => p.organization.name).sort()).toEqual(['Hausverwaltung Sonnenschein GmbH', 'Nordhaus Immobilienverwaltung KG']);
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('describes every kind without needing a key', async () => {
    const response = await fetch(`${app.baseUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: {
        securitySchemes: Record<string, unknown>;
        schemas: Record<string, { required?: string[]; properties?: Record<string, unknown>; additionalProperties?: boolean }>;
      };
    };
    expect(document.openapi).toBe('3.1.0');
    for (const kind of KINDS) {
      expect(Object.keys(document.paths[`/${kind.name}`])).toEqual(['put']);
      expect(Object.keys(document.paths[`/${kind.name}/{externalId}`])).toEqual(expect.arrayContaining(['get', 'delete']));
      expect(document.paths[`/${kind.name}/archive`]).toHaveProperty('post');
    }
    expect(document.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const unit = document.components.schemas.UnitsItem;
    expect(unit.required).toEqual(['externalId', 'propertyExternalId', 'number']);
    expect(unit.additionalProperties).toBe(false);
    expect(Object.keys(document.components.schemas.ServiceProvidersItem.properties!)).toContain('trade');
    expect(JSON.stringify(document.components.schemas.ItemError)).toContain('unknown_reference');
  });
});
