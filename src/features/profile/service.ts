import type { Em } from '../../db/orm.ts';
import { PortalUser, type StaffUser } from '../../entities/index.ts';
import { verifyPassword } from '../../auth/password.ts';
import { consumeToken, findUsableToken, issueToken } from '../../auth/tokens.ts';
import { accountKey, clearFailures, countAttempt, THROTTLE } from '../../auth/throttle.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { isLanguage } from '../../http/i18n.ts';
import { auditPortalAction, auditStaffAction } from '../audit/service.ts';
import { isEmail, normalizeEmail } from '../login/service.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { isAvatar } from './avatars.ts';

export type { FieldErrors };

/** "Anzeigename": what neighbours may be shown later (community issue), at most 80 characters; empty clears it. */
export function validateDisplayName(value: string): FieldErrors {
  return value.trim().length > 80 ? { displayName: 'profile:errors.displayNameTooLong' } : {};
}

export async function updateDisplayName(em: Em, user: PortalUser, value: string, now: Date) {
  user.displayName = value.trim() || null;
  auditPortalAction(em, user, 'profile.display_name', null, now);
  await em.flush();
}

/** Chooses one of the built-in avatars (or none); a photo is the caller's to remove. */
export function avatarProblem(value: string): FieldErrors {
  return value === '' || isAvatar(value) ? {} : { avatar: 'profile:errors.avatarUnknown' };
}

export async function updateLanguage(em: Em, user: PortalUser, value: string): Promise<FieldErrors> {
  if (!isLanguage(value)) return { locale: 'profile:errors.languageUnknown' };
  user.locale = value;
  await em.flush();
  return {};
}

// --- E-mail change -----------------------------------------------------------------------------

/**
 * Checks the current password for a security-relevant change, under the login throttle of
 * the account (a stolen session cannot guess it unthrottled). An i18n key or null.
 */
async function currentPasswordProblem(em: Em, user: PortalUser, password: string, now: Date): Promise<string | null> {
  const account = accountKey('portal', user.email);
  if (await countAttempt(em, [{ key: account, limit: THROTTLE.accountLimit }], now)) return 'auth:errors.tooManyAttempts';
  if (!(await verifyPassword(user.passwordHash, password))) return 'registration:errors.currentPasswordWrong';
  await clearFailures(em, account);
  return null;
}

/**
 * "E-Mail-Adresse ändern": sends a confirmation link to the new address; nothing changes
 * until it is opened. An address that already belongs to a login of this Verwaltung gets
 * the same answer on the page (to reveal nothing about other accounts); the mail to that
 * address explains instead of confirming.
 */
export async function requestEmailChange(
  em: Em,
  user: PortalUser,
  input: { newEmail: string; currentPassword: string },
  baseUrl: string,
  now: Date,
): Promise<FieldErrors | { sentTo: string }> {
  const newEmail = normalizeEmail(input.newEmail);
  if (!isEmail(newEmail)) return { newEmail: 'profile:errors.emailInvalid' };
  if (newEmail === user.email) return { newEmail: 'profile:errors.emailUnchanged' };
  const passwordProblem = await currentPasswordProblem(em, user, input.currentPassword, now);
  if (passwordProblem) return { emailPassword: passwordProblem };
  const taken = (await em.count(PortalUser, { organization: user.organization.id, email: newEmail })) > 0;
  await em.transactional(async (tx) => {
    const mail = { organization: user.organization, to: newEmail, locale: user.locale };
    if (taken) {
      enqueueMail(tx, { ...mail, template: 'email-change-taken', data: { loginLink: `${baseUrl}/portal/anmelden` } }, now);
    } else {
      const token = await issueToken(tx, { area: 'portal', user }, 'email_change', now, { newEmail });
      enqueueMail(tx, { ...mail, template: 'email-change-confirm', data: { name: user.name, link: `${baseUrl}/portal/e-mail-bestaetigen/${token}` } }, now);
    }
    auditPortalAction(tx, user, 'profile.email_change_requested', null, now);
  });
  return { sentTo: newEmail };
}

/** The pending change behind a confirmation link, or null (unknown, expired, used, or the login is gone). */
export async function emailChangeFor(em: Em, token: string, now: Date) {
  const found = await findUsableToken(em, token, 'email_change', 'portal', now);
  const user = found?.portalUser;
  if (!found || !user || user.disabledAt || user.deletedAt || !found.newEmail) return null;
  return { tokenId: found.id, user, newEmail: found.newEmail };
}

/**
 * Confirms an e-mail change: the login's address becomes the new one and the old address
 * is told (so a change the owner did not make does not go unnoticed). 'invalid' when the
 * link is no longer usable, 'taken' when the address was given to another login meanwhile.
 */
export async function confirmEmailChange(em: Em, token: string, baseUrl: string, now: Date): Promise<'invalid' | 'taken' | { email: string }> {
  return em.transactional(async (tx) => {
    const change = await emailChangeFor(tx, token, now);
    if (!change) return 'invalid';
    const { user, newEmail } = change;
    if (await tx.count(PortalUser, { organization: user.organization.id, email: newEmail, id: { $ne: user.id } }, { filters: { tenant: false } }))
      return 'taken';
    if (!(await consumeToken(tx, change.tokenId, now))) return 'invalid';
    const oldEmail = user.email;
    user.email = newEmail;
    enqueueMail(
      tx,
      {
        organization: user.organization,
        to: oldEmail,
        template: 'email-changed',
        locale: user.locale,
        data: { name: user.name, newEmail, profileLink: `${baseUrl}/portal/profil` },
      },
      now,
    );
    auditPortalAction(tx, user, 'profile.email_changed', null, now);
    return { email: newEmail };
  });
}

// --- Staff profile -------------------------------------------------------------------------------

export type StaffProfileInput = { position: string; phone: string };

/** Position and phone are optional; a phone number looks like one. */
export function validateStaffProfile(input: StaffProfileInput): FieldErrors {
  const errors: FieldErrors = {};
  if (input.position.trim().length > 100) errors.position = 'profile:errors.positionTooLong';
  const phone = input.phone.trim();
  if (phone.length > 50) errors.phone = 'profile:errors.phoneInvalid';
  else if (phone && !/^[+\d][\d\s/()-]{4,}$/.test(phone)) errors.phone = 'profile:errors.phoneInvalid';
  return errors;
}

export async function updateStaffProfile(em: Em, staff: StaffUser, input: StaffProfileInput, now: Date) {
  staff.position = input.position.trim() || null;
  staff.phone = input.phone.trim() || null;
  auditStaffAction(em, staff, 'profile.updated', { type: 'StaffUser', id: staff.id }, null, now);
  await em.flush();
}
