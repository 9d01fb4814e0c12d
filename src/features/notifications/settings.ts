import type { Em } from '../../db/orm.ts';
import { NotificationDefault, NotificationSetting, type NotificationFrequency } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { notificationKind, notificationKinds } from './kinds.ts';

/** A frequency per kind key. */
export type Choices = Record<string, NotificationFrequency>;

/** The Verwaltung's defaults: its own rows over the registry's fallbacks. */
export async function organizationDefaults(em: Em, organizationId: string): Promise<Choices> {
  const rows = await em.execute<Array<{ kind: string; frequency: NotificationFrequency }>>(
    `select kind, frequency from notification_default where organization_id = ?`,
    [organizationId],
    'all',
  );
  const choices: Choices = Object.fromEntries(notificationKinds().map((kind) => [kind.key, kind.fallback]));
  for (const row of rows) if (allowed(row.kind, row.frequency)) choices[row.kind] = row.frequency;
  return choices;
}

/**
 * What each of the given users chose, over the Verwaltung's defaults: one query for the
 * defaults, one for the users' own rows (plain SQL, so the digest can ask for 100,000 users).
 */
export async function choicesOf(em: Em, organizationId: string, userIds: readonly string[]): Promise<Map<string, Choices>> {
  const defaults = await organizationDefaults(em, organizationId);
  const result = new Map<string, Choices>();
  for (const id of userIds) result.set(id, { ...defaults });
  if (userIds.length === 0) return result;
  const rows = await em.execute<Array<{ portal_user_id: string; kind: string; frequency: NotificationFrequency }>>(
    `select portal_user_id, kind, frequency from notification_setting where organization_id = ? and portal_user_id = any(?::uuid[])`,
    [organizationId, `{${userIds.join(',')}}`],
    'all',
  );
  for (const row of rows) if (allowed(row.kind, row.frequency)) result.get(row.portal_user_id)![row.kind] = row.frequency;
  return result;
}

/** Whether a kind offers a frequency (a stored value the registry no longer offers is ignored). */
function allowed(kindKey: string, frequency: string): frequency is NotificationFrequency {
  return notificationKind(kindKey)?.offered.includes(frequency as NotificationFrequency) ?? false;
}

/** Reads a posted form of one radio group per kind (field = kind key); errors at the field of a value not offered. */
export function parseChoices(body: Record<string, unknown>): { choices: Record<string, string>; errors: FieldErrors } {
  const choices: Record<string, string> = {};
  const errors: FieldErrors = {};
  for (const kind of notificationKinds()) {
    const value = typeof body[kind.key] === 'string' ? (body[kind.key] as string) : '';
    choices[kind.key] = value;
    if (!allowed(kind.key, value)) errors[kind.key] = value === 'off' ? 'notifications:errors.offNotOffered' : 'notifications:errors.choose';
  }
  return { choices, errors };
}

/** Saves a resident's choices (all kinds at once; the caller validated them). */
export async function saveUserChoices(em: Em, user: { id: string; organization: { id: string } }, choices: Choices, now: Date) {
  for (const kind of notificationKinds()) {
    const existing = await em.findOne(NotificationSetting, { portalUser: user.id, kind: kind.key });
    if (existing) {
      existing.frequency = choices[kind.key];
      existing.updatedAt = now;
    } else {
      em.create(NotificationSetting, { portalUser: user.id, kind: kind.key, organization: user.organization.id, frequency: choices[kind.key], updatedAt: now });
    }
  }
  await em.flush();
}

/** Turns one kind off for a user (one-click unsubscribe); for a kind without "aus" the least frequent it offers. */
export async function unsubscribe(em: Em, user: { id: string; organization: { id: string } }, kindKey: string, now: Date): Promise<NotificationFrequency> {
  const kind = notificationKind(kindKey)!;
  const frequency: NotificationFrequency = kind.offered.includes('off') ? 'off' : kind.offered[kind.offered.length - 1];
  const existing = await em.findOne(NotificationSetting, { portalUser: user.id, kind: kind.key });
  if (existing) {
    existing.frequency = frequency;
    existing.updatedAt = now;
  } else {
    em.create(NotificationSetting, { portalUser: user.id, kind: kind.key, organization: user.organization.id, frequency, updatedAt: now });
  }
  await em.flush();
  return frequency;
}

/** Saves the Verwaltung's defaults (Administration). */
export async function saveOrganizationDefaults(em: Em, organizationId: string, choices: Choices) {
  for (const kind of notificationKinds()) {
    const existing = await em.findOne(NotificationDefault, { organization: organizationId, kind: kind.key });
    if (existing) existing.frequency = choices[kind.key];
    else em.create(NotificationDefault, { organization: organizationId, kind: kind.key, frequency: choices[kind.key] });
  }
  await em.flush();
}
