import { randomBytes } from 'node:crypto';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, verifyHOTP } from '@oslojs/otp';
import type { SecretBox } from '../../auth/secrets.ts';
import { countAttempt, THROTTLE } from '../../auth/throttle.ts';
import { hashToken } from '../../auth/tokens.ts';
import type { Em } from '../../db/orm.ts';
import { RecoveryCode, SecondFactorChallenge, StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * The second factor of staff (issue 24): TOTP (RFC 6238, 30-second steps, 6 digits, as every
 * authenticator app reads it from the QR code) with ten recovery codes shown once. Steps are
 * counted from the app's clock (the clock seam), a code is accepted one step early or late
 * for clocks that drift, and never twice: the step it matched is stored with a conditional
 * update, so a replay — or two requests racing with the same code — fails.
 */
const STEP_SECONDS = 30;
const DIGITS = 6;
const RECOVERY_CODES = 10;
/** How long the step between password and code may take. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;

const stepAt = (now: Date) => Math.floor(now.getTime() / 1000 / STEP_SECONDS);

/** The step a code matches (now, one before or one after), if later than the last accepted one. */
function matchingStep(key: Uint8Array, code: string, now: Date, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = stepAt(now);
  for (const step of [current, current - 1, current + 1]) {
    if (lastStep !== null && step <= lastStep) continue;
    if (verifyHOTP(key, BigInt(step), DIGITS, code)) return step;
  }
  return null;
}

/** What an authenticator app scans: the otpauth:// URI, and the key to type in by hand. */
export function enrollmentOf(key: Uint8Array, issuer: string, account: string) {
  return {
    uri: createTOTPKeyURI(issuer, account, key, STEP_SECONDS, DIGITS),
    manualKey: encodeBase32UpperCaseNoPadding(key)
      .replace(/(.{4})/g, '$1 ')
      .trim(),
  };
}

const keyOf = (box: SecretBox, sealed: string | null | undefined) => {
  const opened = sealed ? box.open(sealed) : null;
  return opened ? new Uint8Array(Buffer.from(opened, 'base64')) : null;
};

/** Starts setting up: a new key, kept sealed as pending until a code from the app confirms it. */
export async function startEnrollment(em: Em, box: SecretBox, staff: StaffUser): Promise<Uint8Array> {
  const key = new Uint8Array(randomBytes(20));
  staff.totpPendingSecretEncrypted = box.seal(Buffer.from(key).toString('base64'));
  await em.flush();
  return key;
}

/** The pending key, to show its QR code again (a wrong code keeps the same key). */
export const pendingKey = (box: SecretBox, staff: StaffUser) => keyOf(box, staff.totpPendingSecretEncrypted);

/**
 * Confirms the pending key with a code from the app: the second factor is on, and the
 * recovery codes (returned once, stored hashed) replace any earlier ones. Null when the code is wrong.
 */
export async function confirmEnrollment(em: Em, box: SecretBox, staff: StaffUser, code: string, now: Date): Promise<string[] | null> {
  const key = pendingKey(box, staff);
  if (!key) return null;
  const step = matchingStep(key, code.replace(/\s/g, ''), now, null);
  if (step === null) return null;
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(StaffUser, staff.id);
    user.totpSecretEncrypted = user.totpPendingSecretEncrypted;
    user.totpPendingSecretEncrypted = null;
    user.totpEnabledAt = now;
    user.totpLastStep = step;
    await tx.nativeDelete(RecoveryCode, { staffUser: staff.id });
    for (const plain of codes)
      tx.create(RecoveryCode, { organization: staff.organization, staffUser: staff.id, codeHash: hashRecovery(plain), createdAt: now });
    auditStaffAction(tx, staff, 'second_factor.enabled', { type: 'StaffUser', id: staff.id }, {}, now);
  });
  return codes;
}

/** Turns the second factor off (the caller has checked password and code). */
export async function disableSecondFactor(em: Em, actor: StaffUser, staff: StaffUser, now: Date) {
  staff.totpSecretEncrypted = null;
  staff.totpPendingSecretEncrypted = null;
  staff.totpEnabledAt = null;
  staff.totpLastStep = null;
  await em.nativeDelete(RecoveryCode, { staffUser: staff.id });
  auditStaffAction(em, actor, 'second_factor.disabled', { type: 'StaffUser', id: staff.id }, {}, now);
  await em.flush();
}

/** Ten characters in two groups, from an alphabet without 0/O and 1/I. */
function newRecoveryCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const chars = [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}
const hashRecovery = (code: string) => hashToken(code.toUpperCase().replace(/[^A-Z0-9]/g, ''));

/**
 * Checks a code from the app or a recovery code. The code's step (or the recovery code) is
 * used up in the same statement that checks it was still unused.
 */
export async function verifySecondFactor(em: Em, box: SecretBox, staff: StaffUser, input: string, now: Date): Promise<'totp' | 'recovery' | null> {
  const code = input.replace(/\s/g, '');
  const key = keyOf(box, staff.totpSecretEncrypted);
  if (key) {
    const step = matchingStep(key, code, now, staff.totpLastStep ?? null);
    if (step !== null) {
      const taken = await em.nativeUpdate(
        StaffUser,
        { id: staff.id, $or: [{ totpLastStep: null }, { totpLastStep: { $lt: step } }] },
        { totpLastStep: step },
        { filters: { tenant: false } },
      );
      return taken === 1 ? 'totp' : null;
    }
  }
  if (/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/.test(code)) {
    const used = await em.nativeUpdate(RecoveryCode, { staffUser: staff.id, codeHash: hashRecovery(code), usedAt: null }, { usedAt: now });
    if (used === 1) return 'recovery';
  }
  return null;
}

/** Counts a code attempt against the account's budget; returns the time until which it is refused, or null. */
export const countCodeAttempt = (em: Em, staff: StaffUser, now: Date) =>
  countAttempt(em, [{ key: `second-factor:${staff.id}`, limit: THROTTLE.accountLimit }], now);

/** The step between password and code: a single-use token for a cookie, valid for five minutes. */
export function issueChallenge(em: Em, staff: StaffUser, now: Date): string {
  const token = randomBytes(32).toString('base64url');
  em.create(SecondFactorChallenge, {
    tokenHash: hashToken(token),
    organization: staff.organization,
    staffUser: staff,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS),
  });
  return token;
}

/** The staff member of a usable challenge, or null. */
export async function challengeOwner(em: Em, token: string, now: Date): Promise<StaffUser | null> {
  if (!token || token.length > 100) return null;
  const found = await em.findOne(
    SecondFactorChallenge,
    { tokenHash: hashToken(token) },
    { populate: ['staffUser', 'organization'], filters: { tenant: false } },
  );
  if (!found || found.usedAt || found.expiresAt <= now || found.staffUser.disabledAt || !found.staffUser.totpEnabledAt) return null;
  return found.staffUser;
}

/** Uses the challenge up; false when another request did first. */
export async function consumeChallenge(em: Em, token: string, now: Date): Promise<boolean> {
  return (await em.nativeUpdate(SecondFactorChallenge, { tokenHash: hashToken(token), usedAt: null }, { usedAt: now }, { filters: { tenant: false } })) === 1;
}
