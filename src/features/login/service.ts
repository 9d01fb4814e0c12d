import type { Em } from '../../db/orm.ts';
import { AuditLog, PortalUser, StaffUser, type Area } from '../../entities/index.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';
import { createSession, invalidateUserSessions, type SessionUser } from '../../auth/session.ts';
import {
  accountKey,
  clearFailures,
  countAttempt,
  ipKey,
  lockedUntil,
  refundAttempt,
  RESET_THROTTLE,
  resetAddressKey,
  resetIpKey,
  THROTTLE,
} from '../../auth/throttle.ts';
import { consumeToken, findUsableToken, issueToken } from '../../auth/tokens.ts';
import { log } from '../../log.ts';
import { issueChallenge } from '../staff-signin/totp.ts';
import { enqueueMail } from '../mail/outbox.ts';

export function normalizeEmail(email: unknown): string {
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}

/** Whether a (normalized) value looks like an e-mail address: the one check of every form that takes one. */
export function isEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

/**
 * Accounts with this e-mail in any Verwaltung. Login comes before we know the Verwaltung,
 * so this is one of the few places that looks across tenants, on purpose.
 */
async function accountsByEmail(em: Em, area: Area, email: string) {
  const where = { email, disabledAt: null };
  const opts = { filters: { tenant: false }, populate: ['organization'] as const };
  const users = area === 'staff' ? await em.find(StaffUser, where, opts) : await em.find(PortalUser, where, opts);
  return users.map((user) => ({ area, user }) as SessionUser);
}

export type LoginResult =
  | { ok: true; login: SessionUser; token: string }
  /** Password right; a staff member with a second factor gets a challenge for the code step instead of a session. */
  | { ok: 'second_factor'; challenge: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: Date };

/**
 * Checks e-mail and password under the throttle. An unknown e-mail costs the same time and
 * gives the same answer as a wrong password.
 */
export async function logIn(em: Em, area: Area, emailInput: string, password: string, ip: string, now: Date): Promise<LoginResult> {
  const email = normalizeEmail(emailInput);
  const account = accountKey(area, email);
  const until = await lockedUntil(em, [account, ipKey(ip)], now);
  if (until) return { ok: false, reason: 'locked', until };
  // Counted before the slow password check, so a parallel burst cannot outrun the lock.
  const refusedUntil = await countAttempt(
    em,
    [
      { key: account, limit: THROTTLE.accountLimit },
      { key: ipKey(ip), limit: THROTTLE.ipLimit },
    ],
    now,
  );
  if (refusedUntil) return { ok: false, reason: 'locked', until: refusedUntil };

  const candidates = await accountsByEmail(em, area, email);
  let login: SessionUser | undefined;
  for (const candidate of candidates) {
    if (await verifyPassword(candidate.user.passwordHash, password)) {
      login = candidate;
      break;
    }
  }
  if (candidates.length === 0) await verifyPassword(null, password);

  if (!login) return { ok: false, reason: 'invalid' };
  await clearFailures(em, account);
  await refundAttempt(em, ipKey(ip), THROTTLE.ipLimit);
  if (login.area === 'staff' && login.user.totpEnabledAt) {
    const challenge = issueChallenge(em, login.user, now);
    await em.flush();
    return { ok: 'second_factor', challenge };
  }
  return startSession(em, login, now);
}

/** The end of every staff and resident sign-in (password, second factor, company account): audited, a new session. */
export async function startSession(
  em: Em,
  login: SessionUser,
  now: Date,
  method?: 'totp' | 'recovery' | 'oidc',
): Promise<{ ok: true; login: SessionUser; token: string }> {
  login.user.lastLoginAt = now;
  audit(em, login, 'login', now, method ? { method } : null);
  const { token } = await createSession(em, login, now);
  return { ok: true, login, token };
}

function audit(em: Em, login: SessionUser, action: string, now: Date, data: Record<string, unknown> | null = null) {
  em.create(AuditLog, {
    organization: login.user.organization,
    actorType: login.area,
    actorId: login.user.id,
    action,
    subjectType: login.area === 'staff' ? 'StaffUser' : 'PortalUser',
    subjectId: login.user.id,
    ...(data ? { data } : {}),
    createdAt: now,
  });
}

/**
 * Counts a reset request against its IP address's budget (RESET_THROTTLE) before anything
 * else; returns the time until which the address is refused, or null.
 */
export function countResetRequest(em: Em, ip: string, now: Date): Promise<Date | null> {
  return countAttempt(em, [{ key: resetIpKey(ip), limit: RESET_THROTTLE.ipLimit, windowMs: RESET_THROTTLE.ipWindowMs }], now);
}

/**
 * Sends a reset link to every account with this e-mail, unless the address has had its
 * share of reset mails (RESET_THROTTLE). Runs after the response (src/http/after-response.ts):
 * the caller answers the same, at the same speed, whether or not an account exists.
 */
export async function requestPasswordReset(em: Em, area: Area, emailInput: string, baseUrl: string, now: Date) {
  const email = normalizeEmail(emailInput);
  if (!email) return;
  const address = { key: resetAddressKey(email), limit: RESET_THROTTLE.addressLimit, windowMs: RESET_THROTTLE.addressWindowMs };
  if (await countAttempt(em, [address], now)) {
    log.info(`password reset for ${area} address ${JSON.stringify(email)} not sent: over ${RESET_THROTTLE.addressLimit} requests in its window`);
    return;
  }
  await em.transactional(async (tx) => {
    for (const login of await accountsByEmail(tx, area, email)) {
      const base = area === 'staff' ? '/verwaltung' : '/portal';
      const token = await issueToken(tx, login, 'password_reset', now);
      enqueueMail(
        tx,
        {
          organization: login.user.organization,
          to: login.user.email,
          template: 'password-reset',
          locale: login.user.locale,
          data: { name: login.user.name, link: `${baseUrl}${base}/passwort-zuruecksetzen/${token}` },
        },
        now,
      );
    }
  });
}

/** The account behind a usable reset or invitation link, or null. */
export async function accountForToken(em: Em, area: Area, purpose: 'password_reset' | 'staff_invitation', token: string, now: Date) {
  const found = await findUsableToken(em, token, purpose, area, now);
  if (!found) return null;
  const user = found.staffUser ?? found.portalUser;
  if (!user || user.disabledAt) return null;
  return { tokenId: found.id, login: { area, user } as SessionUser };
}

/**
 * Sets a new password through a single-use link (reset or staff invitation) and logs the
 * user in. Other sessions of the user end. Returns null when the link was used meanwhile.
 */
export async function setPasswordWithToken(em: Em, area: Area, purpose: 'password_reset' | 'staff_invitation', token: string, password: string, now: Date) {
  return em.transactional(async (tx) => {
    const account = await accountForToken(tx, area, purpose, token, now);
    if (!account || !(await consumeToken(tx, account.tokenId, now))) return null;
    account.login.user.passwordHash = await hashPassword(password);
    account.login.user.lastLoginAt = now;
    await invalidateUserSessions(tx, account.login);
    audit(tx, account.login, purpose === 'staff_invitation' ? 'invitation.accepted' : 'password.reset', now);
    await clearFailures(tx, accountKey(area, account.login.user.email));
    const { token: sessionToken } = await createSession(tx, account.login, now);
    return { login: account.login, sessionToken };
  });
}
