import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, Organization, StaffUser } from '../../src/entities/index.ts';

import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { freePort } from '../support/server-process.ts';

/**
 * Staff sign-in besides the password (issue 24): the second factor (TOTP with recovery codes,
 * required per Verwaltung) and "Mit Firmenkonto anmelden" against a real OpenID Connect
 * provider (oidc-provider) started here.
 */
let app: TestApp;
const SECURITY = '/verwaltung/konto/sicherheit';
const ADMIN = '/verwaltung/administration/anmeldung';
const all = { filters: { tenant: false } } as const;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const staffNamed = (email: string) => app.em().findOneOrFail(StaffUser, { email }, all);
const auditOf = (action: string) => app.em().find(AuditLog, { action }, { ...all, orderBy: { createdAt: 'asc' } });

/** The code an authenticator app shows for this key at the app's time (step offset for "30 s later"). */
function codeFor(manualKey: string, stepOffset = 0) {
  const key = decodeBase32IgnorePadding(manualKey.replace(/\s/g, ''));
  const step = Math.floor(app.clock.now().getTime() / 30_000) + stepOffset;
  return generateHOTP(key, BigInt(step), 6);
}

async function staffClient(email: string) {
  const client = app.client();
  await client.loginStaff(email, app.world.password);
  return client;
}

/** Sets up the second factor on the security page; returns the manual key and the recovery codes. */
async function enrol(client: Client) {
  expect((await client.post(`${SECURITY}/einrichten`)).status).toBe(303);
  const page = await client.get(SECURITY);
  const manualKey = page.$('.totp-qr code').text();
  expect(page.$('.totp-qr svg')).toHaveLength(1);
  const wrong = await client.post(`${SECURITY}/bestaetigen`, { code: codeFor(manualKey) === '000000' ? '111111' : '000000' });
  expect(wrong.status).toBe(422);
  expect(wrong.$('#code-error').text()).toContain('stimmt nicht');
  const done = await client.post(`${SECURITY}/bestaetigen`, { code: codeFor(manualKey) });
  expect(done.status).toBe(200);
  const recovery = done
    .$('.recovery-codes code')
    .map((_, c) => done.$(c).text())
    .get();
  expect(recovery).toHaveLength(10);
  return { manualKey, recovery };
}

describe('second factor (TOTP)', () => {
  let key = '';
  let recovery: string[] = [];

  it('is set up with a QR code and a confirming code; recovery codes are shown once and stored hashed', async () => {
    const sabine = await staffClient('sachbearbeitung@sonnenschein-hv.de');
    ({ manualKey: key, recovery } = await enrol(sabine));
    const stored = await staffNamed('sachbearbeitung@sonnenschein-hv.de');
    expect(stored.totpEnabledAt).not.toBeNull();
    // Sealed, not the key in plain text.
    expect(stored.totpSecretEncrypted).toMatch(/^v1\./);
    expect(stored.totpSecretEncrypted).not.toContain(key.replace(/\s/g, ''));
    expect((await sabine.get(SECURITY)).$('.recovery-codes')).toHaveLength(0);
    expect((await auditOf('second_factor.enabled')).length).toBe(1);
  });

  it('asks for the code after the password; no session before it; a wrong code is refused; a used code never works again', async () => {
    app.clock.advance(60_000);
    const client = app.client();
    const afterPassword = await client.post('/verwaltung/anmelden', { email: 'sachbearbeitung@sonnenschein-hv.de', password: app.world.password });
    expect(afterPassword.status).toBe(303);
    expect(afterPassword.location).toBe('/verwaltung/anmelden/zweiter-faktor');
    expect(client.cookies.has('hp_staff_session')).toBe(false);
    expect((await client.get('/verwaltung/kontakte')).location).toContain('/verwaltung/anmelden');
    const codePage = await client.get('/verwaltung/anmelden/zweiter-faktor');
    expect(codePage.$('label[for=code]').text()).toBe('Code');

    const wrong = await client.post('/verwaltung/anmelden/zweiter-faktor', { code: '123456' === codeFor(key) ? '654321' : '123456' });
    expect(wrong.status).toBe(422);
    expect(client.cookies.has('hp_staff_session')).toBe(false);

    const code = codeFor(key);
    const ok = await client.post('/verwaltung/anmelden/zweiter-faktor', { code });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/verwaltung');
    expect((await client.get('/verwaltung/kontakte')).status).toBe(200);
    const sabineId = (await staffNamed('sachbearbeitung@sonnenschein-hv.de')).id;
    expect((await auditOf('login')).filter((a) => a.actorId === sabineId && a.data?.method === 'totp')).toHaveLength(1);

    // The same code (same 30-second step) a second time: refused, even with a fresh challenge.
    const other = app.client();
    await other.post('/verwaltung/anmelden', { email: 'sachbearbeitung@sonnenschein-hv.de', password: app.world.password });
    expect((await other.post('/verwaltung/anmelden/zweiter-faktor', { code })).status).toBe(422);
    // The challenge cookie alone, without the password step, leads back to the login.
    expect((await app.client().get('/verwaltung/anmelden/zweiter-faktor')).location).toBe('/verwaltung/anmelden');
  });

  it('accepts each recovery code once', async () => {
    const first = app.client();
    await first.post('/verwaltung/anmelden', { email: 'sachbearbeitung@sonnenschein-hv.de', password: app.world.password });
    const used = await first.post('/verwaltung/anmelden/zweiter-faktor', { code: recovery[0].toLowerCase() });
    expect(used.status).toBe(303);
    const again = app.client();
    await again.post('/verwaltung/anmelden', { email: 'sachbearbeitung@sonnenschein-hv.de', password: app.world.password });
    expect((await again.post('/verwaltung/anmelden/zweiter-faktor', { code: recovery[0] })).status).toBe(422);
  });

  it('when the Verwaltung requires it, sends staff without it to the security page until they set it up, and keeps it on', async () => {
    const max = await staffClient('verwalter@sonnenschein-hv.de');
    expect((await max.get(ADMIN)).$('#require-second-factor')).toHaveLength(1);
    expect((await max.post(`${ADMIN}/zwei-faktor`, { requireSecondFactor: 'on' })).status).toBe(303);
    expect((await app.em().findOneOrFail(Organization, { name: { $like: 'Hausverwaltung Sonnenschein%' } })).requireSecondFactor).toBe(true);

    // Max has none: every console page (and htmx request) sends him to the security page.
    const blocked = await max.get('/verwaltung/kontakte');
    expect(blocked.status).toBe(303);
    expect(blocked.location).toBe(SECURITY);
    expect((await max.get(ADMIN)).location).toBe(SECURITY);
    expect((await max.request('GET', '/verwaltung/kontakte', { headers: { 'hx-request': 'true' } })).headers.get('hx-redirect')).toBe(SECURITY);
    expect((await max.get(SECURITY)).$('[role=alert]').text()).toContain('verlangt');
    const { manualKey } = await enrol(max);
    expect((await max.get('/verwaltung/kontakte')).status).toBe(200);

    // While required, it cannot be switched off.
    app.clock.advance(60_000);
    const off = await max.post(`${SECURITY}/deaktivieren`, { password: app.world.password, code: codeFor(manualKey) });
    expect(off.status).toBe(422);
    expect((await staffNamed('verwalter@sonnenschein-hv.de')).totpEnabledAt).not.toBeNull();

    // Another Verwaltung is untouched by the rule.
    const nord = await staffClient('verwalter@nordhaus-verwaltung.de');
    expect((await nord.get('/verwaltung/kontakte')).status).toBe(200);
    expect((await nord.get(ADMIN)).$('#require-second-factor').is('[checked]')).toBe(false);
  });
});

describe('Mit Firmenkonto anmelden (OpenID Connect)', () => {
  let provider: Provider;
  let issuer = '';
  let server: ReturnType<Provider['listen']>;
  const accounts: Record<string, { email: string; email_verified: boolean }> = {
    'sub-sabine': { email: 'sachbearbeitung@sonnenschein-hv.de', email_verified: true },
    'sub-stranger': { email: 'fremd@example.de', email_verified: true },
    'sub-unverified': { email: 'verwalter@sonnenschein-hv.de', email_verified: false },
  };
  const callback = () => `${app.baseUrl}/verwaltung/anmelden/sonnenschein/rueckkehr`;

  beforeAll(async () => {
    app.clock.set(new Date());
    // A real provider on a free port: clients, accounts, PKCE required, consent granted for first-party use.
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    provider = makeProvider(issuer);
    server = provider.listen(port, '127.0.0.1');
  });
  afterAll(() => server?.close());

  function makeProvider(url: string) {
    const p = new Provider(url, {
      clients: [
        { client_id: 'hausportal', client_secret: 'geheimnis-0123456789', redirect_uris: [callback()], token_endpoint_auth_method: 'client_secret_post' },
        { client_id: 'andere-app', client_secret: 'andere-0123456789', redirect_uris: [callback()], token_endpoint_auth_method: 'client_secret_post' },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      findAccount: (_ctx, id) => (accounts[id] ? { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) } : undefined),
      pkce: { required: () => true },
      ttl: { IdToken: 60 },
      features: { devInteractions: { enabled: true } },
      // First-party: no consent screen (the documented way to skip it).
      loadExistingGrant: async (ctx) => {
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    p.proxy = true;
    return p;
  }

  /** The browser at the provider: follows its redirects with its own cookies and logs in as `accountId`. Returns the callback URL. */
  async function atProvider(authorizationUrl: string, accountId: string): Promise<string> {
    const jar = new Map<string, string>();
    let url = authorizationUrl;
    for (let hop = 0; hop < 10; hop++) {
      if (url.startsWith(app.baseUrl)) return url;
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      let response = await fetch(url, { redirect: 'manual', headers: { cookie } });
      if (response.status === 200 && url.includes('/interaction/')) {
        response = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'egal' }),
        });
      }
      for (const set of response.headers.getSetCookie()) {
        const [pair] = set.split(';');
        const [name, ...value] = pair.split('=');
        jar.set(name, value.join('='));
      }
      const location = response.headers.get('location');
      if (!location) throw new Error(`provider answered ${response.status} at ${url}: ${await response.text()}`);
      url = new URL(location, url).href;
    }
    throw new Error('too many redirects at the provider');
  }

  async function configure(admin: Client) {
    const saved = await admin.post(`${ADMIN}/firmenkonto`, {
      slug: 'sonnenschein',
      issuer,
      clientId: 'hausportal',
      clientSecret: 'geheimnis-0123456789',
      enabled: 'on',
    });
    expect(saved.status).toBe(303);
  }

  /** Starts at the Verwaltung's login page; returns the browser and the provider's authorization URL. */
  async function start() {
    const browser = app.client();
    const page = await browser.get('/verwaltung/anmelden/sonnenschein');
    expect(page.$('a.button.primary').text()).toBe('Mit Firmenkonto anmelden');
    const started = await browser.get(page.$('a.button.primary').attr('href')!);
    expect(started.status).toBe(303);
    expect(started.location!.startsWith(`${issuer}/auth?`)).toBe(true);
    const authorization = new URL(started.location!);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    return { browser, authorization };
  }

  const callbackPath = (url: string) => url.slice(app.baseUrl.length);

  it('is configured by an admin: the secret is stored sealed and never shown; bad settings are refused at the field', async () => {
    const nord = await staffClient('verwalter@nordhaus-verwaltung.de');
    const bad = await nord.post(`${ADMIN}/firmenkonto`, { slug: 'A b', issuer: 'kein-url', clientId: '', clientSecret: '' });
    expect(bad.status).toBe(422);
    for (const name of ['slug', 'issuer', 'clientId', 'clientSecret']) expect(bad.$(`#${name}-error`).text().length).toBeGreaterThan(10);

    // Max set up TOTP above (the Verwaltung requires it): he signs in with his code.
    const admin = app.client();
    await admin.post('/verwaltung/anmelden', { email: 'verwalter@sonnenschein-hv.de', password: app.world.password });
    const max = await staffNamed('verwalter@sonnenschein-hv.de');
    expect(max.totpEnabledAt).not.toBeNull();
    await app.em().nativeUpdate(Organization, { id: max.organization.id }, { requireSecondFactor: false }, all);
    await app.em().nativeUpdate(StaffUser, { id: max.id }, { totpEnabledAt: null, totpSecretEncrypted: null }, all);
    await admin.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
    await configure(admin);
    const page = await admin.get(ADMIN);
    expect(page.$('#sso-clientSecret').val()).toBe('');
    expect(page.text).not.toContain('geheimnis-0123456789');
    const [row] = await app.em().getConnection().execute<Array<{ client_secret_encrypted: string }>>('select client_secret_encrypted from organization_sso');
    expect(row.client_secret_encrypted).not.toContain('geheimnis');
    // The Kürzel is a public address: another Verwaltung cannot take it.
    const taken = await nord.post(`${ADMIN}/firmenkonto`, { slug: 'sonnenschein', issuer, clientId: 'x', clientSecret: 'y' });
    expect(taken.$('#slug-error').text()).toContain('vergeben');
  });

  it('signs in an invited staff member by verified e-mail at first, binds the identity, then goes by issuer and subject', async () => {
    const { browser, authorization } = await start();
    const back = await atProvider(authorization.href, 'sub-sabine');
    const done = await browser.get(callbackPath(back));
    expect(done.status).toBe(303);
    expect(done.location).toBe('/verwaltung');
    expect((await browser.get('/verwaltung/kontakte')).status).toBe(200);
    const sabine = await staffNamed('sachbearbeitung@sonnenschein-hv.de');
    expect([sabine.oidcIssuer, sabine.oidcSubject]).toEqual([issuer, 'sub-sabine']);
    expect((await auditOf('login')).filter((a) => a.actorId === sabine.id && a.data?.method === 'oidc')).toHaveLength(1);

    // A replayed callback (same state and code) finds nothing to complete.
    const replay = app.client();
    replay.cookies.set('hp_staff_oidc', new URL(back).searchParams.get('state')!);
    const replayed = await replay.get(callbackPath(back));
    expect(replayed.location).toBe('/verwaltung/anmelden/sonnenschein?fehler=state');
    expect(replay.cookies.has('hp_staff_session')).toBe(false);

    // Later: the provider's e-mail changed, the binding by subject still holds.
    accounts['sub-sabine'].email = 'sabine.neu@example.de';
    const second = await start();
    const again = await second.browser.get(callbackPath(await atProvider(second.authorization.href, 'sub-sabine')));
    expect(again.location).toBe('/verwaltung');
  });

  it('refuses identities it does not know or whose e-mail is not verified, and creates no account', async () => {
    const before = await app.em().count(StaffUser, {}, all);
    for (const [account, reason] of [
      ['sub-stranger', 'unknown'],
      ['sub-unverified', 'unverified'],
    ]) {
      const { browser, authorization } = await start();
      const answer = await browser.get(callbackPath(await atProvider(authorization.href, account)));
      expect(answer.location).toBe(`/verwaltung/anmelden/sonnenschein?fehler=${reason}`);
      expect(browser.cookies.has('hp_staff_session')).toBe(false);
      const page = await browser.get(answer.location!);
      expect(page.$('[role=alert]').text().length).toBeGreaterThan(20);
    }
    expect(await app.em().count(StaffUser, {}, all)).toBe(before);
  });

  it('refuses a code issued to another client (wrong audience) and an expired ID token', async () => {
    // The browser is sent to the provider as another app with the same state: its code is not for Hausportal.
    const wrong = await start();
    const asOther = new URL(wrong.authorization.href);
    asOther.searchParams.set('client_id', 'andere-app');
    const refused = await wrong.browser.get(callbackPath(await atProvider(asOther.href, 'sub-sabine')));
    expect(refused.location).toBe('/verwaltung/anmelden/sonnenschein?fehler=provider');
    expect(wrong.browser.cookies.has('hp_staff_session')).toBe(false);

    // The ID token lives 60 s at this provider; the app's clock is 5 minutes on when it arrives.
    const late = await start();
    const back = await atProvider(late.authorization.href, 'sub-sabine');
    app.clock.advance(5 * 60_000);
    const expired = await late.browser.get(callbackPath(back));
    expect(expired.location).toBe('/verwaltung/anmelden/sonnenschein?fehler=provider');
    expect(late.browser.cookies.has('hp_staff_session')).toBe(false);
    app.clock.set(new Date());
  });

  it('has no login page for an unknown or disabled Kürzel', async () => {
    expect((await app.client().get('/verwaltung/anmelden/gibt-es-nicht')).status).toBe(404);
    expect((await app.client().get('/verwaltung/anmelden/gibt-es-nicht/firmenkonto')).status).toBe(404);
  });
});
