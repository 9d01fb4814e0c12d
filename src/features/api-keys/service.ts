import { randomBytes } from 'node:crypto';
import type { Em } from '../../db/orm.ts';
import { hashToken } from '../../auth/tokens.ts';
import { ApiKey, type StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';

// Administration › API-Schlüssel: keys for the machine API (src/api/app.ts checks them).
// Only a SHA-256 of a key is stored; the key itself is shown once, on the page that created it.

/** Recognisable in logs and secret scanners; the demo key (src/features/demo/seed.ts) starts with hp_demo_. */
export const API_KEY_PREFIX = 'hp_live_';
/** How much of a key is kept to tell keys apart in the list ("hp_live_ab12…"); fits ApiKey.prefix. */
const SHOWN_PREFIX_LENGTH = 12;
export const MAX_API_KEY_NAME = 200;

/** What is stored of a key (ApiKey.keyHash) and looked up by the API's auth middleware. */
export const hashApiKey = hashToken;

/** A new key: the prefix and 32 random bytes (256 bits) in base64url. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The Verwaltung's keys (the EntityManager is scoped), usable ones first, newest first. */
export async function listApiKeys(em: Em) {
  const keys = await em.find(ApiKey, {}, { populate: ['createdBy'], orderBy: { createdAt: 'desc', id: 'asc' } });
  return [...keys.filter((k) => !k.revokedAt), ...keys.filter((k) => k.revokedAt)];
}

/** The name of a new key, or the i18n key of the problem. */
export function apiKeyName(value: string): { name: string; error?: string } {
  const name = value.trim().replace(/\s+/g, ' ');
  if (!name) return { name, error: 'api-keys:errors.nameMissing' };
  if (name.length > MAX_API_KEY_NAME) return { name, error: 'api-keys:errors.nameTooLong' };
  return { name };
}

/** Creates a key for the admin's Verwaltung; returns the row and the key, which is never stored. */
export async function createApiKey(em: Em, admin: StaffUser, name: string, now: Date): Promise<{ apiKey: ApiKey; key: string }> {
  const key = generateApiKey();
  const apiKey = em.create(ApiKey, {
    organization: admin.organization,
    name,
    prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    keyHash: hashApiKey(key),
    createdBy: admin,
    createdAt: now,
  });
  auditStaffAction(em, admin, 'api_key.created', { type: 'ApiKey', id: apiKey.id }, { name, prefix: apiKey.prefix }, now);
  await em.flush();
  return { apiKey, key };
}

/** "Widerrufen": the key stops working with the next request (the API only accepts keys without revokedAt). */
export async function revokeApiKey(em: Em, admin: StaffUser, apiKey: ApiKey, now: Date) {
  if (apiKey.revokedAt) return;
  apiKey.revokedAt = now;
  auditStaffAction(em, admin, 'api_key.revoked', { type: 'ApiKey', id: apiKey.id }, { name: apiKey.name, prefix: apiKey.prefix }, now);
  await em.flush();
}
