import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/features/api-keys/service.ts';
import { ApiKey, AuditLog } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

/**
 * Administration › API-Schlüssel (src/features/api-keys): create (shown once, stored hashed),
 * list, revoke; the key against the real machine API (/api/v1/status).
 */

let app: TestApp;
let admin: Client;
let clerk: Client;
let nordAdmin: Client;
const PAGE = '/verwaltung/administration/api-schluessel';

beforeAll(async () => {
  app = await startTestApp();
  admin = app.client();
  await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  clerk = app.client();
  await clerk.loginStaff('sachbearbeitung@sonnenschein-hv.de', app.world.password);
  nordAdmin = app.client();
  await nordAdmin.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
});
afterAll(() => app?.close());

const status = (key: string) => fetch(`${app.baseUrl}/api/v1/status`, { headers: { authorization: `Bearer ${key}` } });

/** The list row of a key by its name. */
function row(page: Page, name: string) {
  const found = page.$('table.api-keys tbody tr').filter((_, tr) => page.$(tr).find('th').text() === name);
  expect(found, `no row for ${name}`).toHaveLength(1);
  return found;
}

/** Creates a key through the form and returns the answer page and the key shown on it. */
async function create(client: Client, name: string) {
  const page = await client.post(PAGE, { name });
  expect(page.status).toBe(201);
  const key = page.$('#new-key-value').val() as string;
  return { page, key };
}

describe('creating an API key', () => {
  it('shows the key once, uncached, stores only its hash, and the list later shows only the prefix', async () => {
    const { page, key } = await create(admin, 'Haufe PowerHaus');
    expect(key).toMatch(/^hp_live_[A-Za-z0-9_-]{43}$/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.$('#new-key').text()).toContain('wird nur jetzt angezeigt');
    expect(page.$('#new-key-title').text()).toBe('API-Schlüssel „Haufe PowerHaus“ erstellt');
    expect(page.text.split(key)).toHaveLength(2);

    const stored = await app.em().findOneOrFail(ApiKey, { name: 'Haufe PowerHaus' }, { filters: { tenant: false }, populate: ['createdBy'] });
    expect(stored.keyHash).toBe(hashApiKey(key));
    expect(stored.prefix).toBe(key.slice(0, 12));
    expect(stored.organization.id).toBe(app.world.organizations.sonnenschein.id);
    expect(stored.createdBy?.name).toBe('Max Verwalter');
    expect(await app.em().count(AuditLog, { action: 'api_key.created', subjectId: stored.id }, { filters: { tenant: false } })).toBe(1);

    const list = await admin.get(PAGE);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(key);
    expect(list.$('#new-key')).toHaveLength(0);
    const line = row(list, 'Haufe PowerHaus');
    expect(line.find('.key-prefix').text()).toBe(`${key.slice(0, 12)}…`);
    expect(line.text()).toContain('von Max Verwalter');
    expect(line.text()).toContain('noch nie');
    // The demo key of the seed is listed too; the API's address and description are named.
    row(list, 'Demo-ERP');
    expect(list.$('#api-base-url').text()).toBe(`${app.baseUrl}/api/v1`);
    expect(list.$('#openapi-link').attr('href')).toBe('/api/v1/openapi.json');
    expect(list.$('.admin-nav a[aria-current=page]').text()).toBe('API-Schlüssel');
  });

  it('the new key works against the API, and the list then shows when it was last used', async () => {
    const { key } = await create(admin, 'DOMUS');
    const response = await status(key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      organization: { id: app.world.organizations.sonnenschein.id, name: 'Hausverwaltung Sonnenschein GmbH' },
      apiKey: { name: 'DOMUS' },
    });
    const line = row(await admin.get(PAGE), 'DOMUS');
    expect(line.text()).not.toContain('noch nie');
  });

  it('refuses an empty or too long name with 422 and the message next to the field, creating nothing', async () => {
    const before = await app.em().count(ApiKey, {}, { filters: { tenant: false } });
    const empty = await admin.post(PAGE, { name: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.$('#name-error').text()).toBe('Bitte geben Sie einen Namen ein.');
    expect(empty.$('#api-key-name').attr('aria-invalid')).toBe('true');
    expect(empty.$('#new-key')).toHaveLength(0);

    const long = await admin.post(PAGE, { name: 'x'.repeat(201) });
    expect(long.status).toBe(422);
    expect(long.$('#name-error').text()).toBe('Der Name darf höchstens 200 Zeichen lang sein.');
    expect(long.$('#api-key-name').val()).toBe('x'.repeat(201));
    expect(await app.em().count(ApiKey, {}, { filters: { tenant: false } })).toBe(before);
  });

  it('refuses a form without CSRF token (403) and creates nothing', async () => {
    const before = await app.em().count(ApiKey, {}, { filters: { tenant: false } });
    const page = await admin.post(PAGE, { name: 'Ohne Token' }, { csrf: false });
    expect(page.status).toBe(403);
    expect(await app.em().count(ApiKey, {}, { filters: { tenant: false } })).toBe(before);
  });

  it('is for admins only: staff without admin rights get 403 for the page, the form and revoking', async () => {
    const { key } = await create(admin, 'Nur für Admins');
    const id = (await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(key) }, { filters: { tenant: false } })).id;
    expect((await clerk.get(PAGE)).status).toBe(403);
    expect((await clerk.post(PAGE, { name: 'Vom Sachbearbeiter' })).status).toBe(403);
    expect((await clerk.get(`${PAGE}/${id}/widerrufen`)).status).toBe(403);
    expect((await clerk.post(`${PAGE}/${id}/widerrufen`)).status).toBe(403);
    expect(await app.em().count(ApiKey, { name: 'Vom Sachbearbeiter' }, { filters: { tenant: false } })).toBe(0);
    expect((await status(key)).status).toBe(200);
  });
});

describe('revoking an API key', () => {
  it('asks first, then the key stops working at once (401) and the list says so', async () => {
    const { key } = await create(admin, 'Altes ERP');
    const stored = await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(key) }, { filters: { tenant: false } });
    expect((await status(key)).status).toBe(200);

    const confirm = await admin.get(`${PAGE}/${stored.id}/widerrufen`);
    expect(confirm.status).toBe(200);
    expect(confirm.$('h1').text()).toBe('API-Schlüssel widerrufen');
    expect(confirm.$('main form button[type=submit]').text()).toBe('Endgültig widerrufen');
    // Asking revokes nothing.
    expect((await status(key)).status).toBe(200);

    const done = await admin.post(`${PAGE}/${stored.id}/widerrufen`);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${PAGE}?widerrufen=1`);
    const response = await status(key);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const list = await admin.get(done.location!);
    expect(list.$('[role=status]').text()).toBe('Der API-Schlüssel wurde widerrufen.');
    const line = row(list, 'Altes ERP');
    expect(line.find('.badge.ended').text()).toMatch(/^Widerrufen am \d\d\.\d\d\.\d{4}, \d\d:\d\d$/);
    expect(line.find('a')).toHaveLength(0);
    expect(await app.em().count(AuditLog, { action: 'api_key.revoked', subjectId: stored.id }, { filters: { tenant: false } })).toBe(1);
    // Revoking again changes nothing.
    expect((await admin.post(`${PAGE}/${stored.id}/widerrufen`)).status).toBe(303);
    expect(await app.em().count(AuditLog, { action: 'api_key.revoked', subjectId: stored.id }, { filters: { tenant: false } })).toBe(1);
  });

  it("another Verwaltung's admin cannot see or revoke a Sonnenschein key (404)", async () => {
    const { key } = await create(admin, 'Sonnenschein-ERP');
    const stored = await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(key) }, { filters: { tenant: false } });
    expect((await nordAdmin.get(`${PAGE}/${stored.id}/widerrufen`)).status).toBe(404);
    expect((await nordAdmin.post(`${PAGE}/${stored.id}/widerrufen`)).status).toBe(404);
    const nordList = await nordAdmin.get(PAGE);
    expect(nordList.status).toBe(200);
    expect(nordList.text).not.toContain('Sonnenschein-ERP');
    expect(nordList.text).not.toContain('Demo-ERP');
    expect((await status(key)).status).toBe(200);
    const reloaded = await app.em().findOneOrFail(ApiKey, { id: stored.id }, { filters: { tenant: false } });
    expect(reloaded.revokedAt).toBeNull();
  });

  it('a Nordhaus key sees Nordhaus only', async () => {
    const { key } = await create(nordAdmin, 'Nordhaus-ERP');
    const response = await status(key);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { organization: { id: string } }).organization.id).toBe(app.world.organizations.nordhaus.id);
  });
});
