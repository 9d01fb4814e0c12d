import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

/**
 * Signed links in notification mails that work without a login: the one-click unsubscribe
 * per user and kind (RFC 8058) and the "opened from the mail" link of a Mitteilung. Each is
 * an HMAC-SHA256 over what it names, keyed with the app secret (SESSION_SECRET), so a link
 * cannot be altered to name another user, kind or Mitteilung.
 *
 * The key is set once at start (src/app.ts, and the scheduler's tasks through the same app):
 * the many feature services that mail residents take a base URL already and need not all be
 * handed the secret too.
 */
let key: Uint8Array | null = null;
let publicBaseUrl: string | null = null;

/** Sets the signing key (the app secret) and the public URL; called when the app is built. */
export function configureNotificationLinks(secret: string, baseUrl: string) {
  key = new TextEncoder().encode(`notification-links:${secret}`);
  publicBaseUrl = baseUrl;
}

/** The public URL set at start, for senders reached from many places (documents' "sofort" mail). */
export function configuredBaseUrl(): string {
  if (!publicBaseUrl) throw new Error('notification links used before configureNotificationLinks');
  return publicBaseUrl;
}

function signature(purpose: string, ...parts: string[]): Uint8Array {
  if (!key) throw new Error('notification links used before configureNotificationLinks');
  return hmac(SHA256, key, new TextEncoder().encode([purpose, ...parts].join('\u0000')));
}

/** An HMAC over `purpose` and `parts`, base64url: also the Aufträge's signed links (src/features/orders/links.ts). */
export function sign(purpose: string, ...parts: string[]): string {
  return encodeBase64urlNoPadding(signature(purpose, ...parts));
}

/** Whether `signed` is sign(purpose, ...parts), compared in constant time. */
export function verify(signed: string, purpose: string, ...parts: string[]): boolean {
  let given: Uint8Array;
  try {
    given = decodeBase64urlIgnorePadding(signed);
  } catch {
    return false;
  }
  return constantTimeEqual(given, signature(purpose, ...parts));
}

const base = (baseUrl: string) => baseUrl.replace(/\/$/, '');

/** Path prefix of the unsubscribe endpoint (public; POST exempt from the CSRF token, src/auth/csrf.ts). */
export const UNSUBSCRIBE_PATH = '/benachrichtigungen/abbestellen';

/** The one-click unsubscribe link of a user for one kind. */
export function unsubscribeLink(baseUrl: string, userId: string, kind: string): string {
  return `${base(baseUrl)}${UNSUBSCRIBE_PATH}/${userId}/${kind}/${sign('unsubscribe', userId, kind)}`;
}

/** Whether an unsubscribe link's signature matches its user and kind. */
export function validUnsubscribe(userId: string, kind: string, signed: string): boolean {
  return verify(signed, 'unsubscribe', userId, kind);
}

/** Path prefix of the "opened from the mail" link of a Mitteilung (public, GET only). */
export const OPENED_PATH = '/benachrichtigungen/mitteilung';

/** The link in a Mitteilung's mail: records the opening for the user, then goes to the portal page. */
export function announcementMailLink(baseUrl: string, userId: string, announcementId: string, propertyId: string): string {
  return `${base(baseUrl)}${OPENED_PATH}/${announcementId}/${propertyId}/${userId}/${sign('opened', announcementId, propertyId, userId)}`;
}

/** Whether an "opened" link's signature matches what it names. */
export function validAnnouncementMailLink(announcementId: string, propertyId: string, userId: string, signed: string): boolean {
  return verify(signed, 'opened', announcementId, propertyId, userId);
}

/** The settings page in the portal. */
export const settingsLink = (baseUrl: string) => `${base(baseUrl)}/portal/profil/benachrichtigungen`;
