import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffUser } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';

const common = JSON.parse(readFileSync(new URL('../../locales/de/common.json', import.meta.url), 'utf8'));
const CSRF_MESSAGE: string = common.errors.csrf;

const ADMIN = 'verwalter@sonnenschein-hv.de';
const LOGIN = '/verwaltung/anmelden';
const INVITE = '/verwaltung/administration/mitarbeiter';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

/** A browser that has visited a page, so it holds a CSRF cookie (and knows the token). */
async function visitor(): Promise<Client> {
  const client = app.client();
  await client.csrfToken();
  return client;
}

async function loggedInAdmin(): Promise<Client> {
  const client = app.client();
  await client.loginStaff(ADMIN, app.world.password);
  return client;
}

const loginFields = () => ({ email: ADMIN, password: app.world.password });

/** An invitation form that would create a staff member if the request got through. */
let probeCounter = 0;
function invitationFields() {
  probeCounter += 1;
  return { name: `CSRF Probe ${probeCounter}`, email: `csrf-probe-${probeCounter}@sonnenschein-hv.de`, role: 'staff' };
}

async function staffExists(email: string): Promise<boolean> {
  return (await app.em().count(StaffUser, { email }, { filters: { tenant: false } })) > 0;
}

/** The German 403 page: the message, no session handed out, and nothing of the server's inside. */
function expectCsrfRejection(page: Page) {
  expect(page.status).toBe(403);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.$('h1').text()).toBe(common.errors.title403);
  expect(page.$('[role=alert]').text()).toBe(CSRF_MESSAGE);
  expect(page.headers.getSetCookie().some((c) => c.startsWith('hp_staff_session='))).toBe(false);
  expectNoInternals(page);
}

function expectNoInternals(page: Page) {
  expect(page.text).not.toMatch(/\n\s+at .+:\d+:\d+/); // stack frame lines
  expect(page.text).not.toMatch(/ForbiddenError|HttpError|node_modules|\.ts:\d+|CSRF check failed/);
}

describe('a POST without the _csrf field', () => {
  it('is refused at the staff login with the German message', async () => {
    const browser = await visitor();
    const page = await browser.post(LOGIN, loginFields(), { csrf: false });
    expectCsrfRejection(page);
  });

  it('is refused for a logged-in admin inviting a Mitarbeiter, and nobody is invited', async () => {
    const admin = await loggedInAdmin();
    const fields = invitationFields();
    const page = await admin.post(INVITE, fields, { csrf: false });
    expectCsrfRejection(page);
    expect(await staffExists(fields.email)).toBe(false);
  });

  it('is refused from a browser that has no CSRF cookie at all', async () => {
    const page = await app.client().post(LOGIN, loginFields(), { csrf: false });
    expectCsrfRejection(page);
  });

  it('is refused for other unsafe methods too', async () => {
    const admin = await loggedInAdmin();
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const page = await admin.request(method, INVITE, { headers: { origin: app.baseUrl } });
      expect(page.status, method).toBe(403);
      expect(page.$('[role=alert]').text(), method).toBe(CSRF_MESSAGE);
    }
  });
});

describe('a POST with a wrong token', () => {
  it('is refused at the login', async () => {
    const browser = await visitor();
    const page = await browser.post(LOGIN, { ...loginFields(), _csrf: 'not-the-token' }, { csrf: false });
    expectCsrfRejection(page);
  });

  it('is refused for the admin, and nobody is invited', async () => {
    const admin = await loggedInAdmin();
    const token = await admin.csrfToken();
    const fields = invitationFields();
    // Same length and alphabet as the real token, one character off.
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const page = await admin.post(INVITE, { ...fields, _csrf: tampered }, { csrf: false });
    expectCsrfRejection(page);
    expect(await staffExists(fields.email)).toBe(false);
  });

  it('is refused when the token belongs to another browser’s cookie', async () => {
    const other = await visitor();
    const othersToken = await other.csrfToken();
    const admin = await loggedInAdmin();
    expect(othersToken).not.toBe(await admin.csrfToken());

    const fields = invitationFields();
    const invite = await admin.post(INVITE, { ...fields, _csrf: othersToken }, { csrf: false });
    expectCsrfRejection(invite);
    expect(await staffExists(fields.email)).toBe(false);

    const login = await (await visitor()).post(LOGIN, { ...loginFields(), _csrf: othersToken }, { csrf: false });
    expectCsrfRejection(login);
  });

  it('is refused when the token comes without its cookie', async () => {
    const other = await visitor();
    const stranger = app.client();
    const page = await stranger.post(LOGIN, { ...loginFields(), _csrf: await other.csrfToken() }, { csrf: false });
    expectCsrfRejection(page);
  });
});

describe('a POST with the right token from a foreign site', () => {
  it('is refused with a foreign Origin header', async () => {
    const browser = await visitor();
    expectCsrfRejection(await browser.post(LOGIN, loginFields(), { headers: { origin: 'https://evil.example' } }));

    const admin = await loggedInAdmin();
    const fields = invitationFields();
    expectCsrfRejection(await admin.post(INVITE, fields, { headers: { origin: 'https://evil.example' } }));
    expect(await staffExists(fields.email)).toBe(false);
  });

  it('is refused with Sec-Fetch-Site: cross-site (and same-site)', async () => {
    const browser = await visitor();
    for (const site of ['cross-site', 'same-site']) {
      expectCsrfRejection(await browser.post(LOGIN, loginFields(), { headers: { 'sec-fetch-site': site } }));
    }

    const admin = await loggedInAdmin();
    const fields = invitationFields();
    expectCsrfRejection(await admin.post(INVITE, fields, { headers: { 'sec-fetch-site': 'cross-site' } }));
    expect(await staffExists(fields.email)).toBe(false);
  });

  it('is accepted from our own origin with Sec-Fetch-Site: same-origin', async () => {
    const browser = await visitor();
    const page = await browser.post(LOGIN, loginFields(), { headers: { 'sec-fetch-site': 'same-origin', origin: app.baseUrl } });
    expect(page.status).toBe(303);
    expect(page.location).toBe('/verwaltung');
  });
});

describe('the token in the X-CSRF-Token header, as htmx sends it', () => {
  it('is the one the page puts into data-hx-headers on <body>', async () => {
    const admin = await loggedInAdmin();
    const page = await admin.get('/verwaltung/liegenschaften');
    const hxHeaders = JSON.parse(page.$('body').attr('data-hx-headers')!);
    expect(hxHeaders['X-CSRF-Token']).toBe(await admin.csrfToken());
  });

  it('is accepted at the login instead of the form field', async () => {
    const browser = await visitor();
    const page = await browser.post(LOGIN, loginFields(), { csrf: false, headers: { 'X-CSRF-Token': await browser.csrfToken() } });
    expect(page.status).toBe(303);
    expect(page.location).toBe('/verwaltung');
    expect(browser.cookies.has('hp_staff_session')).toBe(true);
  });

  it('is accepted for the admin’s htmx invitation, which then happens', async () => {
    const admin = await loggedInAdmin();
    const fields = invitationFields();
    const page = await admin.post(INVITE, fields, {
      csrf: false,
      headers: { 'X-CSRF-Token': await admin.csrfToken(), 'HX-Request': 'true', 'HX-Target': 'main' },
    });
    // htmx is told where to go (src/http/form-answers.ts), so the address bar shows it.
    expect(page.status).toBe(204);
    expect(JSON.parse(page.headers.get('hx-location')!)).toEqual({ path: `${INVITE}?eingeladen=${encodeURIComponent(fields.email)}`, target: '#main' });
    expect(await staffExists(fields.email)).toBe(true);
  });

  it('is refused when wrong, even if the header is the only place a token is sent', async () => {
    const admin = await loggedInAdmin();
    const fields = invitationFields();
    const page = await admin.post(INVITE, fields, { csrf: false, headers: { 'X-CSRF-Token': 'forged', 'HX-Request': 'true' } });
    expect(page.status).toBe(403);
    expect(page.$('[role=alert]').text()).toBe(CSRF_MESSAGE);
    expectNoInternals(page);
    expect(await staffExists(fields.email)).toBe(false);
  });
});

describe('file upload forms (multipart)', () => {
  const multipart = async (browser: Client, query: string) => {
    const form = new FormData();
    form.set('note', 'x');
    const response = await fetch(`${app.baseUrl}/verwaltung/abmelden${query}`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: browser.browserHeaders(),
    });
    return response.status;
  };

  it('take the token from the action URL, because their body is parsed later by the feature', async () => {
    const browser = app.client();
    const token = await browser.csrfToken();
    expect(await multipart(browser, `?_csrf=${encodeURIComponent(token)}`)).toBe(303);
    expect(await multipart(browser, '')).toBe(403);
    expect(await multipart(browser, '?_csrf=wrong')).toBe(403);
  });

  it('do not let a plain form move its token into the URL', async () => {
    const browser = app.client();
    const token = await browser.csrfToken();
    const page = await browser.request('POST', `/verwaltung/abmelden?_csrf=${encodeURIComponent(token)}`, {
      body: new URLSearchParams({ a: 'b' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.baseUrl },
    });
    expect(page.status).toBe(403);
  });
});
