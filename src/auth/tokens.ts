import { createHash, randomBytes } from 'node:crypto';
import type { Em } from '../db/orm.ts';
import { OneTimeToken, type Area, type PortalUser, type StaffUser, type TokenPurpose } from '../entities/index.ts';

export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  password_reset: 60 * 60 * 1000,
  staff_invitation: 7 * 24 * 60 * 60 * 1000,
  email_change: 24 * 60 * 60 * 1000,
};

/** SHA-256 of a secret (hex): what is stored of one-time tokens and API keys, never the secret. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type TokenOwner = { area: 'staff'; user: StaffUser } | { area: 'portal'; user: PortalUser };

/**
 * Issues a single-use token for an e-mail link. Earlier unused tokens of the same purpose
 * for the same user stop working, so only the newest link counts. Flushed by the caller,
 * together with the e-mail that carries it.
 */
export async function issueToken(em: Em, owner: TokenOwner, purpose: TokenPurpose, now: Date, extra: { newEmail?: string } = {}): Promise<string> {
  const userRef = owner.area === 'staff' ? { staffUser: owner.user.id } : { portalUser: owner.user.id };
  await em.nativeUpdate(OneTimeToken, { ...userRef, purpose, usedAt: null }, { usedAt: now });
  const token = randomBytes(32).toString('base64url');
  em.create(OneTimeToken, {
    tokenHash: hashToken(token),
    purpose,
    area: owner.area,
    organization: owner.user.organization,
    staffUser: owner.area === 'staff' ? owner.user : null,
    portalUser: owner.area === 'portal' ? owner.user : null,
    newEmail: extra.newEmail ?? null,
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]),
    createdAt: now,
  });
  return token;
}

/** Finds a token that is still usable (right purpose and area, not expired, not used). */
export async function findUsableToken(em: Em, token: string, purpose: TokenPurpose, area: Area, now: Date) {
  if (!token || token.length > 100) return null;
  const found = await em.findOne(
    OneTimeToken,
    { tokenHash: hashToken(token), purpose, area },
    // Looked up by its secret before any Verwaltung is known.
    { populate: ['staffUser', 'portalUser', 'organization'], filters: { tenant: false } },
  );
  if (!found || found.usedAt || found.expiresAt <= now) return null;
  return found;
}

/**
 * Marks a token used. The conditional update makes it single-use even when two requests
 * race: only the one that flips usedAt from null wins.
 */
export async function consumeToken(em: Em, tokenId: string, now: Date): Promise<boolean> {
  const changed = await em.nativeUpdate(OneTimeToken, { id: tokenId, usedAt: null }, { usedAt: now });
  return changed === 1;
}
