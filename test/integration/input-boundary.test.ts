import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Announcement, Contact, Document, Property, Ticket, TicketEntry } from '../../src/entities/index.ts';
import { DocumentType } from '../../src/entities/index.ts';
import { DEMO_API_KEY } from '../../src/features/demo/seed.ts';
import type { MountedRoute } from '../../src/http/routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { filesUnder, SAMPLE_FILES } from '../support/files.ts';

/**
 * The input boundary (src/http/input.ts, src/http/error-handler.ts): no input breaks the
 * server. A control character (C0 or DEL; tab, CR and LF only in body fields) is refused
 * with 422 naming the field, wherever it comes in (query, path, form, multipart field or
 * file name, API JSON or path), before anything is written; a malformed request gets its
 * 4xx with a German page or the API's JSON error, never a 500.
 */
const common = JSON.parse(readFileSync(new URL('../../locales/de/common.json', import.meta.url), 'utf8'));
const fieldMessage = (field: string) => common.errors.controlCharacter.replace('{{field}}', field);
const fileNameMessage = (field: string) => common.errors.controlCharacterInFileName.replace('{{field}}', field);
const all = { filters: { tenant: false } } as const;
const ZERO_ID = '00000000-0000-4000-8000-000000000000';

let app: TestApp;
let manager: Client;
let resident: Client;
let preview: Client;

beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  resident = app.client();
  await resident.loginPortal('kristina.maiblume@example.de', app.world.password);
  preview = app.client();
  await preview.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  expect((await preview.get(`/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/vorschau`)).status).toBe(303);
});
afterAll(() => app?.close());

const alert = (page: Page) => page.$('[role=alert]').text().trim();
const show = (page: Page) => `${page.status} ${alert(page)}`.trim();
const tempFiles = () => filesUnder(path.join(app.storageDir, 'tmp'));

/** Who walks a route of the registry: the guard's own kind of user, so the route is reached. */
function visitorFor(route: MountedRoute): Client {
  if (route.guard === 'staff' || route.guard === 'admin') return manager;
  if (route.guard === 'portal') return resident;
  if (route.guard === 'preview') return preview;
  return app.client();
}

const PARAM = /[:*](\w+|"[^"]+")/g;
const paramsOf = (route: MountedRoute) => [...route.path.matchAll(PARAM)].map((m) => m[1].replace(/"/g, ''));

/** The route's URL: every parameter a well-formed value (the zero id for ids), `nul` for the one named. */
function urlFor(route: MountedRoute, nul?: string): string {
  const values: Record<string, string> = { token: 'abc', file: 'nope', lang: 'de', kind: 'properties', propertyId: app.world.properties.rosenweg.id };
  return route.path
    .replace(PARAM, (_, raw: string) => {
      const name = raw.replace(/"/g, '');
      return name === nul ? '%00' : encodeURIComponent(values[name] ?? ZERO_ID);
    })
    .replace(/[{}]/g, '');
}

/** Runs a check on each route and reports every route that fails it at once. */
async function problemsOf(routes: MountedRoute[], check: (route: MountedRoute) => Promise<string | null>): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routes) {
    const problem = await check(route);
    if (problem) problems.push(`${route.method} ${route.path}: ${problem}`);
  }
  return problems;
}

const getRoutes = () => app.app.registry.list().filter((r) => r.method === 'GET');

/** A multipart body as a browser or an ERP sends it, with the file name given raw in the header. */
function multipart(fields: Record<string, string>, file: { field: string; disposition: string; content: Buffer; type: string }) {
  const boundary = 'InputBoundaryTest';
  const parts = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  const filePart = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; ${file.disposition}\r\nContent-Type: ${file.type}\r\n\r\n`),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body: Buffer.concat([...parts, filePart]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Sends raw bytes to a console form as the logged-in manager, with CSRF token and Origin. */
async function postRaw(url: string, body: string | Buffer, headers: Record<string, string>, client = manager): Promise<Page> {
  const token = await client.csrfToken();
  return client.request('POST', url, { body: body as string, headers: { origin: app.baseUrl, 'x-csrf-token': token, ...headers } });
}

describe('a control character in the URL', () => {
  it('?q=%00 on every GET route of console, portal and preview is a 422 naming the field "q"', async () => {
    const routes = getRoutes();
    expect(routes.length).toBeGreaterThan(50);
    const problems = await problemsOf(routes, async (route) => {
      const page = await visitorFor(route).get(`${urlFor(route)}?q=%00`);
      return page.status === 422 && alert(page) === fieldMessage('q') ? null : show(page);
    });
    expect(problems).toEqual([]);
  });

  it('a NUL in any path parameter is a 422, never a 500', async () => {
    const staticFile = await app.client().get('/static/app.css%00');
    expect([staticFile.status, alert(staticFile)]).toEqual([422, common.errors.controlCharacterInPath]);

    const routes = getRoutes().filter((r) => paramsOf(r).length > 0);
    expect(routes.length).toBeGreaterThan(20);
    const problems = await problemsOf(routes, async (route) => {
      for (const name of paramsOf(route)) {
        const page = await visitorFor(route).get(urlFor(route, name));
        if (page.status !== 422 || alert(page) !== common.errors.controlCharacterInPath) return `${name}: ${show(page)}`;
      }
      return null;
    });
    expect(problems).toEqual([]);
  });

  it('refuses the other control characters in the query too (tab and DEL), answers htmx with the same 422, and still finds plain searches', async () => {
    for (const q of ['a%09b', 'a%0Ab', 'a%7Fb', 'a%1Bb']) {
      const page = await manager.get(`/verwaltung/kontakte?q=${q}`);
      expect(page.status, q).toBe(422);
      expect(alert(page)).toBe(fieldMessage('q'));
    }
    const repeated = await manager.get('/verwaltung/liegenschaften?q=Rosenweg&q=%00');
    expect([repeated.status, alert(repeated)]).toEqual([422, fieldMessage('q[1]')]);

    const fragment = await manager.get('/verwaltung/liegenschaften?q=%00', { 'hx-request': 'true' });
    expect(fragment.status).toBe(422);
    expect(alert(fragment)).toBe(fieldMessage('q'));
    expect(fragment.$('html body header').length).toBe(0);

    const found = await manager.get('/verwaltung/liegenschaften?q=Rosenweg');
    expect(found.status).toBe(200);
    expect(found.text).toContain('Rosenweg 24');
  });

  it('answers a path that is no valid percent-encoding with 400', async () => {
    for (const url of ['/verwaltung/vorgaenge/%ff', '/verwaltung/kontakte/%E0%A4%A', '/portal/liegenschaften/%ff', '/static/%ff.css']) {
      const page = await (url.startsWith('/portal') ? resident : manager).get(url);
      expect(page.status, url).toBe(400);
      expect(alert(page)).toBe(common.errors.badRequest);
    }
  });
});

describe('a control character in a form', () => {
  it('refuses a NUL in the title of a Mitteilung with 422 and writes nothing; a body with tabs and line breaks is saved', async () => {
    const before = await app.em().count(Announcement, {}, all);
    const fields = { title: 'Heizung\u0000ausfall', body: 'Text', propertyIds: app.world.properties.maxPlanck.id, action: 'publish' };
    const refused = await manager.post('/verwaltung/mitteilungen', fields);
    expect([refused.status, alert(refused)]).toEqual([422, fieldMessage('title')]);
    const refusedMultipart = await manager.postMultipart('/verwaltung/mitteilungen', fields);
    expect([refusedMultipart.status, alert(refusedMultipart)]).toEqual([422, fieldMessage('title')]);
    expect(await app.em().count(Announcement, {}, all)).toBe(before);

    const saved = await manager.post('/verwaltung/mitteilungen', { ...fields, title: 'Heizungsausfall', body: 'Zeile 1\r\n\tZeile 2', action: 'draft' });
    expect(saved.status).toBe(303);
    const id = /mitteilungen\/([0-9a-f-]{36})/.exec(saved.location!)![1];
    expect((await app.em().findOneOrFail(Announcement, { id }, all)).body).toBe('Zeile 1\n\tZeile 2');
  });

  it('refuses a control character in a Vorgang comment (multipart or not) with 422 and adds no entry; tabs and line breaks are kept', async () => {
    const ticket = await app.em().findOneOrFail(Ticket, { organization: app.world.organizations.sonnenschein.id, number: 1 }, all);
    const url = `/verwaltung/vorgaenge/${ticket.id}/kommentare`;
    const entries = () => app.em().count(TicketEntry, { ticket: ticket.id }, all);
    const before = await entries();
    for (const send of [
      () => manager.postMultipart(url, { body: 'Tür\u0000klemmt', visibility: 'public' }, [], 'files'),
      () => manager.post(url, { body: 'Tür\u0007klemmt', visibility: 'internal' }),
    ]) {
      const page = await send();
      expect([page.status, alert(page)]).toEqual([422, fieldMessage('body')]);
    }
    expect(await entries()).toBe(before);

    const saved = await manager.postMultipart(url, { body: 'Tür klemmt:\r\n\t- oben\r\n\t- unten', visibility: 'internal' }, [], 'files');
    expect(saved.status).toBe(303);
    expect(await entries()).toBe(before + 1);
    const entry = await app.em().findOneOrFail(TicketEntry, { ticket: ticket.id }, { ...all, orderBy: { createdAt: 'desc', id: 'desc' } });
    expect(entry.body).toBe('Tür klemmt:\n\t- oben\n\t- unten');
  });

  it('refuses a NUL in a contact edit with 422 and leaves the contact as it was', async () => {
    const person = {
      type: 'person',
      salutation: 'frau',
      title: '',
      firstName: 'Nora',
      lastName: 'Nullzeichen',
      companyName: '',
      email: 'nora.nullzeichen@example.de',
      phone: '',
      street: 'Blumenweg 3',
      postalCode: '80331',
      city: 'München',
      country: 'DE',
      contactPreference: 'post',
      externalId: '',
    };
    const created = await manager.post('/verwaltung/kontakte', person);
    expect(created.status).toBe(303);
    const id = /kontakte\/([0-9a-f-]{36})/.exec(created.location!)![1];

    const page = await manager.post(`/verwaltung/kontakte/${id}`, { ...person, lastName: 'Null\u0000zeichen', city: 'Berlin' });
    expect([page.status, alert(page)]).toEqual([422, fieldMessage('lastName')]);
    const stored = await app.em().findOneOrFail(Contact, { id }, all);
    expect([stored.lastName, stored.city]).toEqual(['Nullzeichen', 'München']);
  });

  it("refuses an uploaded file whose name holds a NUL (filename*=UTF-8''a%00b.pdf) with 422, keeps no document and no temp file", async () => {
    const type = await app.em().findOneOrFail(DocumentType, { organization: app.world.organizations.sonnenschein, name: 'Hausordnung' }, all);
    const before = await app.em().count(Document, {}, all);
    const { body, contentType } = multipart(
      { title: '', type: type.id, share: 'property' },
      { field: 'files', disposition: "filename*=UTF-8''a%00b.pdf", content: SAMPLE_FILES.pdf, type: 'application/pdf' },
    );
    const token = await manager.csrfToken();
    const page = await manager.request('POST', `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/dokumente?_csrf=${token}`, {
      body: body as unknown as string,
      headers: { 'content-type': contentType, origin: app.baseUrl },
    });
    expect([page.status, alert(page)]).toEqual([422, fileNameMessage('files')]);
    expect(await app.em().count(Document, {}, all)).toBe(before);
    expect(await tempFiles()).toEqual([]);
  });
});

describe('malformed requests', () => {
  const form = '/verwaltung/mitteilungen';

  it('answers each with its 4xx and a German page', async () => {
    const token = await manager.csrfToken();
    const urlencoded = 'application/x-www-form-urlencoded';
    const many = new URLSearchParams(Array.from({ length: 1500 }, (_, i) => [`feld${i}`, 'x']));
    many.set('_csrf', token);

    const cases: Array<[string, Promise<Page>, number, string, string]> = [
      ['1,500 form fields', postRaw(form, many.toString(), { 'content-type': urlencoded }), 413, common.errors.title413, common.errors.tooLarge],
      [
        'an unknown charset',
        postRaw(form, `title=x&_csrf=${token}`, { 'content-type': `${urlencoded}; charset=bogus-1` }),
        415,
        common.errors.title415,
        common.errors.unsupportedMediaType,
      ],
      [
        'gzip announced, plain sent',
        postRaw(form, `title=x&_csrf=${token}`, { 'content-type': urlencoded, 'content-encoding': 'gzip' }),
        400,
        common.errors.title400,
        common.errors.badRequest,
      ],
      [
        'an unknown Content-Encoding',
        postRaw(form, `title=x&_csrf=${token}`, { 'content-type': urlencoded, 'content-encoding': 'br2' }),
        415,
        common.errors.title415,
        common.errors.unsupportedMediaType,
      ],
      [
        'a JSON body on a form route',
        postRaw('/verwaltung/kontakte', JSON.stringify({ lastName: 'Json' }), { 'content-type': 'application/json' }),
        415,
        common.errors.title415,
        common.errors.unsupportedMediaType,
      ],
      [
        'text/plain on a form route',
        postRaw(form, 'title=x', { 'content-type': 'text/plain' }),
        415,
        common.errors.title415,
        common.errors.unsupportedMediaType,
      ],
    ];
    for (const [what, sent, status, title, message] of cases) {
      const page = await sent;
      expect([page.status, page.$('h1').text().trim(), alert(page)], what).toEqual([status, title, message]);
    }
    expect(await app.em().count(Contact, { lastName: 'Json' }, all)).toBe(0);
  });

  it('never gives a 500 for odd requests: a NUL in a session cookie, odd paging and sorting, HEAD on a form route, a huge cookie, an unfinished multipart body', async () => {
    // A cookie that cannot be ours is ignored, as if not sent: the login page, not a 500.
    const withBadCookie = await app.client().get('/verwaltung/kontakte', { cookie: 'hp_staff_session=a%00b.c' });
    expect([withBadCookie.status, withBadCookie.location]).toEqual([303, '/verwaltung/anmelden?weiter=%2Fverwaltung%2Fkontakte']);
    const portalBadCookie = await app.client().get('/portal', { cookie: 'hp_portal_session=%00.%01' });
    expect(portalBadCookie.status).toBe(303);

    for (const query of [
      'seite=-1',
      'seite=abc',
      'seite=99999999999999999999',
      'seite=2&seite=3',
      'sortierung[x]=1',
      'q[x]=1&q[]=2',
      'q=a&q=b',
      `q=${'ä'.repeat(1000)}`,
      'archivierte=%ff',
    ]) {
      for (const list of ['/verwaltung/kontakte', '/verwaltung/liegenschaften', '/verwaltung/vorgaenge', '/verwaltung/vertraege']) {
        expect((await manager.get(`${list}?${query}`)).status, `${list}?${query}`).toBe(200);
      }
    }
    // Node itself refuses a URL or cookie beyond its header limit (16 KB) with 431.
    expect((await manager.get(`/verwaltung/kontakte?q=${'x'.repeat(20_000)}`)).status).toBe(431);
    expect((await app.client().get('/verwaltung/kontakte', { cookie: `x=${'a'.repeat(20_000)}` })).status).toBe(431);
    expect((await app.client().get('/verwaltung/kontakte', { cookie: `x=${'a'.repeat(8_000)}` })).status).toBe(303);

    expect((await manager.request('HEAD', '/verwaltung/mitteilungen/neu')).status).toBe(200);
    expect((await manager.request('HEAD', `/verwaltung/mitteilungen/${ZERO_ID}/zurueckziehen`)).status).toBe(404);

    const unfinished = await postRaw(`${form}?_csrf=${await manager.csrfToken()}`, '--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nOhne Ende', {
      'content-type': 'multipart/form-data; boundary=XX',
    });
    expect([unfinished.status, unfinished.$('#attachments-error').text().trim()]).toEqual([422, common.upload.failed]);
    expect(await tempFiles()).toEqual([]);
  });
});

describe('the API', () => {
  const api = async (method: string, url: string, body?: string | Buffer, headers: Record<string, string> = {}) => {
    const response = await fetch(`${app.baseUrl}/api/v1${url}`, {
      method,
      body: body as string,
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, ...headers },
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; field?: string; message: string } } };
  };
  const json = { 'content-type': 'application/json' };

  it('refuses a NUL in a JSON string, key or path with 422 invalid_characters naming the field, and writes nothing', async () => {
    const put = await api('PUT', '/properties', JSON.stringify({ items: [{ externalId: 'NUL-1', name: 'a\u0000b' }] }), json);
    expect([put.status, put.body.error?.code, put.body.error?.field]).toEqual([422, 'invalid_characters', 'items[0].name']);
    const key = await api('PUT', '/properties', '{"items":[{"externalId":"NUL-2","na\\u0000me":"x"}]}', json);
    expect([key.status, key.body.error?.field]).toEqual([422, 'items[0].na␀me']);
    const archive = await api('POST', '/properties/archive', JSON.stringify({ externalIds: ['a\u001fb'] }), json);
    expect([archive.status, archive.body.error?.field]).toEqual([422, 'externalIds[0]']);
    expect(await app.em().count(Property, { externalId: { $like: 'NUL-%' } }, all)).toBe(0);

    for (const [method, url] of [
      ['GET', '/properties/%00'],
      ['DELETE', '/contacts/a%00'],
      ['GET', '/documents/%07'],
    ]) {
      const answer = await api(method, url);
      expect([answer.status, answer.body.error?.code, answer.body.error?.field], `${method} ${url}`).toEqual([422, 'invalid_characters', 'path']);
    }
  });

  it('refuses a pushed document whose file name or metadata holds a control character with 422, keeping nothing', async () => {
    const metadata = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        externalId: 'DMS-NUL',
        title: 'Hausordnung',
        type: 'Objektunterlagen/Hausordnung',
        propertyExternalId: app.world.properties.maxPlanck.externalId,
        shareWith: { groups: ['tenant'] },
        ...extra,
      });
    const before = await app.em().count(Document, {}, all);
    const named = multipart(
      { metadata: metadata() },
      { field: 'file', disposition: "filename*=UTF-8''a%00b.pdf", content: SAMPLE_FILES.pdf, type: 'application/pdf' },
    );
    const byName = await api('POST', '/documents', named.body, { 'content-type': named.contentType });
    expect([byName.status, byName.body.error?.code, byName.body.error?.field]).toEqual([422, 'invalid_characters', 'file']);
    const titled = multipart(
      { metadata: metadata({ title: 'Haus\u0000ordnung' }) },
      { field: 'file', disposition: 'filename="hausordnung.pdf"', content: SAMPLE_FILES.pdf, type: 'application/pdf' },
    );
    const byTitle = await api('POST', '/documents', titled.body, { 'content-type': titled.contentType });
    expect([byTitle.status, byTitle.body.error?.code, byTitle.body.error?.field]).toEqual([422, 'invalid_characters', 'metadata.title']);
    expect(await app.em().count(Document, {}, all)).toBe(before);
    expect(await tempFiles()).toEqual([]);
  });

  it('answers a Content-Encoding it does not decode with 415 and a path that is no valid percent-encoding with 400; a charset on JSON is ignored (JSON is UTF-8)', async () => {
    const batch = JSON.stringify({ items: [{ externalId: 'ENC-1', name: 'Kodiert' }] });
    for (const coding of ['gzip', 'br2']) {
      const answer = await api('PUT', '/properties', batch, { ...json, 'content-encoding': coding });
      expect([answer.status, answer.body.error?.code], coding).toEqual([415, 'unsupported_encoding']);
    }
    expect(await app.em().count(Property, { externalId: 'ENC-1' }, all)).toBe(0);
    const badPath = await api('GET', '/properties/%ff');
    expect([badPath.status, badPath.body.error?.code]).toEqual([400, 'invalid_path']);
    const charset = await api('PUT', '/properties', batch, { 'content-type': 'application/json; charset=bogus-1' });
    expect(charset.status).toBe(200);
    expect(await app.em().count(Property, { externalId: 'ENC-1' }, all)).toBe(1);
  });
});
