import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { SecretBox } from '../../auth/secrets.ts';
import type { Em } from '../../db/orm.ts';
import { OidcLoginAttempt, OrganizationSso, StaffUser } from '../../entities/index.ts';
import { log } from '../../log.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * "Mit Firmenkonto anmelden" (seed 004: "mit Ihren vorhandenen Benutzerdaten"): a Verwaltung's
 * staff sign in through its OpenID Connect provider — authorization code flow with PKCE, state
 * and nonce (openid-client checks the ID token's issuer, audience, signature, expiry and nonce).
 * The first sign-in finds an invited staff account of that Verwaltung by the provider's
 * *verified* e-mail and binds it to issuer and subject; later ones go by those alone, so a
 * changed e-mail at the provider cannot take over another account. Unknown identities are
 * refused, never created: who works in the console is decided in Administration > Mitarbeiter.
 */
const ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;
const DISCOVERY_TTL_MS = 10 * 60 * 1000;
/** Addresses that cannot be a Kürzel (they are pages of the login). */
const RESERVED_SLUGS = new Set(['zweiter-faktor', 'passwort-vergessen', 'einladung', 'passwort-zuruecksetzen']);

export type SsoSettings = { slug: string; issuer: string; clientId: string; clientSecret: string; enabled: boolean };
export type SsoProblems = Partial<Record<keyof SsoSettings, string>>;

/** Checks the Administration form. The secret may stay empty when one is stored (it is never shown again). */
export function ssoProblems(form: SsoSettings, hasStoredSecret: boolean, production: boolean): SsoProblems {
  const problems: SsoProblems = {};
  if (!/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/.test(form.slug) || RESERVED_SLUGS.has(form.slug)) problems.slug = 'staff-signin:errors.slug';
  let issuer: URL | null = null;
  try {
    issuer = new URL(form.issuer);
  } catch {
    issuer = null;
  }
  if (!issuer || (issuer.protocol !== 'https:' && (production || issuer.protocol !== 'http:')) || form.issuer.length > 500)
    problems.issuer = 'staff-signin:errors.issuer';
  if (!form.clientId || form.clientId.length > 200) problems.clientId = 'staff-signin:errors.clientId';
  if ((!form.clientSecret && !hasStoredSecret) || form.clientSecret.length > 500) problems.clientSecret = 'staff-signin:errors.clientSecret';
  return problems;
}

/** Saves the provider settings; the slug must be free across all Verwaltungen (it is a public address). */
export async function saveSso(em: Em, admin: StaffUser, box: SecretBox, form: SsoSettings, now: Date, production: boolean): Promise<SsoProblems | null> {
  const existing = await em.findOne(OrganizationSso, { organization: admin.organization.id });
  const problems = ssoProblems(form, Boolean(existing), production);
  const taken = await em.findOne(OrganizationSso, { slug: form.slug, organization: { $ne: admin.organization.id } });
  if (taken) problems.slug = 'staff-signin:errors.slugTaken';
  if (Object.keys(problems).length > 0) return problems;
  const values = {
    slug: form.slug,
    issuer: form.issuer,
    clientId: form.clientId,
    enabled: form.enabled,
    ...(form.clientSecret ? { clientSecretEncrypted: box.seal(form.clientSecret) } : {}),
    updatedAt: now,
  };
  if (existing) em.assign(existing, values);
  else em.create(OrganizationSso, { organization: admin.organization.id, ...values, clientSecretEncrypted: values.clientSecretEncrypted!, createdAt: now });
  auditStaffAction(
    em,
    admin,
    'sso.configured',
    { type: 'Organization', id: admin.organization.id },
    { slug: form.slug, issuer: form.issuer, enabled: form.enabled },
    now,
  );
  await em.flush();
  discoveries.clear();
  return null;
}

/** The provider settings behind a Kürzel, if enabled. Looked up before anyone is logged in. */
export function ssoBySlug(em: Em, slug: string) {
  if (!/^[a-z0-9-]{3,40}$/.test(slug)) return Promise.resolve(null);
  return em.findOne(OrganizationSso, { slug, enabled: true }, { populate: ['organization'], filters: { tenant: false } });
}

const discoveries = new Map<string, { at: number; config: Promise<client.Configuration> }>();

/**
 * The provider's configuration (its discovery document), kept for a few minutes. `skewSeconds`
 * puts the app's clock (the clock seam) into openid-client's checks of the ID token's times.
 */
async function providerConfig(sso: OrganizationSso, box: SecretBox, skewSeconds: number, allowHttp: boolean): Promise<client.Configuration> {
  const secret = box.open(sso.clientSecretEncrypted);
  if (secret === null) throw new Error(`the client secret of ${sso.slug} cannot be opened with the current SECRETS_KEY`);
  const key = `${sso.slug}|${sso.issuer}|${sso.clientId}|${sso.updatedAt.getTime()}|${skewSeconds}`;
  const cached = discoveries.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
  const config = client.discovery(
    new URL(sso.issuer),
    sso.clientId,
    { client_secret: secret, [client.clockSkew]: skewSeconds },
    client.ClientSecretPost(secret),
    allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  discoveries.set(key, { at: Date.now(), config });
  config.catch(() => discoveries.delete(key));
  return config;
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export type OidcContext = { box: SecretBox; redirectUri: string; now: Date; allowHttp: boolean };

const skewOf = (now: Date) => Math.round((now.getTime() - Date.now()) / 1000);

/** Starts a sign-in: stores state, nonce and PKCE verifier, and returns where to send the browser and the state for its cookie. */
export async function startSignIn(em: Em, sso: OrganizationSso, ctx: OidcContext): Promise<{ url: URL; state: string }> {
  const config = await providerConfig(sso, ctx.box, skewOf(ctx.now), ctx.allowHttp);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  em.create(OidcLoginAttempt, {
    stateHash: hashState(state),
    organization: sso.organization,
    codeVerifier,
    nonce,
    createdAt: ctx.now,
    expiresAt: new Date(ctx.now.getTime() + ATTEMPT_LIFETIME_MS),
  });
  await em.flush();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: ctx.redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state };
}

export type SignInOutcome = { ok: true; staff: StaffUser } | { ok: false; reason: 'state' | 'provider' | 'unknown' | 'unverified' | 'disabled' };

/**
 * Completes a sign-in at the callback. The state must be the one of this browser's cookie,
 * unused and not expired (used up here, so a replay finds nothing); openid-client then
 * exchanges the code with the verifier and checks the ID token.
 */
export async function finishSignIn(em: Em, sso: OrganizationSso, cookieState: string, callbackUrl: URL, ctx: OidcContext): Promise<SignInOutcome> {
  const state = callbackUrl.searchParams.get('state') ?? '';
  if (!state || state !== cookieState) return { ok: false, reason: 'state' };
  const attempt = await em.findOne(OidcLoginAttempt, { stateHash: hashState(state), organization: sso.organization.id }, { filters: { tenant: false } });
  if (!attempt || attempt.usedAt || attempt.expiresAt <= ctx.now) return { ok: false, reason: 'state' };
  const claimed = await em.nativeUpdate(OidcLoginAttempt, { stateHash: attempt.stateHash, usedAt: null }, { usedAt: ctx.now }, { filters: { tenant: false } });
  if (claimed !== 1) return { ok: false, reason: 'state' };

  let claims: Identity | undefined;
  try {
    const config = await providerConfig(sso, ctx.box, skewOf(ctx.now), ctx.allowHttp);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    // Providers that keep the e-mail out of the ID token (code flow, "conform" claims) give it at userinfo, for the same subject.
    claims =
      idToken && typeof idToken.email !== 'string'
        ? { ...idToken, ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)), iss: idToken.iss, sub: idToken.sub }
        : idToken;
  } catch (error) {
    log.warn(`company sign-in of ${sso.slug} refused by the checks: ${(error as Error).message}`);
    return { ok: false, reason: 'provider' };
  }
  if (!claims) return { ok: false, reason: 'provider' };
  return staffForIdentity(em, sso, claims, ctx.now);
}

type Identity = { iss: string; sub: string; email?: unknown; email_verified?: unknown };

/** The staff account of an identity: bound by issuer and subject, or bound now by a verified e-mail. */
async function staffForIdentity(em: Em, sso: OrganizationSso, claims: Identity, now: Date): Promise<SignInOutcome> {
  const organizationId = sso.organization.id;
  const bound = await em.findOne(
    StaffUser,
    { organization: organizationId, oidcIssuer: claims.iss, oidcSubject: claims.sub },
    { filters: { tenant: false }, populate: ['organization'] },
  );
  if (bound) return bound.disabledAt ? { ok: false, reason: 'disabled' } : { ok: true, staff: bound };
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email) return { ok: false, reason: 'unknown' };
  if (claims.email_verified !== true) return { ok: false, reason: 'unverified' };
  const invited = await em.findOne(
    StaffUser,
    { organization: organizationId, email, oidcSubject: null },
    { filters: { tenant: false }, populate: ['organization'] },
  );
  if (!invited) return { ok: false, reason: 'unknown' };
  if (invited.disabledAt) return { ok: false, reason: 'disabled' };
  invited.oidcIssuer = claims.iss;
  invited.oidcSubject = claims.sub;
  auditStaffAction(em, invited, 'sso.bound', { type: 'StaffUser', id: invited.id }, { issuer: claims.iss }, now);
  await em.flush();
  return { ok: true, staff: invited };
}
