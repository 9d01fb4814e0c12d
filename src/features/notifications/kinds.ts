import type { NotificationFrequency } from '../../entities/index.ts';

/**
 * The registry of notification kinds: what a resident can choose how often to hear about.
 * A feature that mails residents about its content registers its kind here (community and
 * bookings add Direktnachrichten and Buchungen the same way) and sends through
 * ./notify.ts, never straight into the outbox. Account and security mails (invitation,
 * password, e-mail change) are no kind: they ignore every choice.
 */
export type NotificationKind = {
  /** Stored in notification_setting.kind and in unsubscribe links. */
  key: string;
  /** i18n key of the label (notifications:kinds.<key>). */
  label: string;
  /** The frequencies offered, in the order shown. */
  offered: readonly NotificationFrequency[];
  /** When neither the resident nor the Verwaltung chose. */
  fallback: NotificationFrequency;
};

const ALL: readonly NotificationFrequency[] = ['immediate', 'daily', 'weekly', 'off'];

const kinds = new Map<string, NotificationKind>();

/** Adds a kind (at import time of the registry or of the feature that brings it). */
export function registerKind(kind: NotificationKind) {
  if (!kind.offered.includes(kind.fallback)) throw new Error(`notification kind ${kind.key}: fallback not offered`);
  kinds.set(kind.key, kind);
}

registerKind({ key: 'announcements', label: 'notifications:kinds.announcements', offered: ALL, fallback: 'immediate' });
registerKind({ key: 'appointments', label: 'notifications:kinds.appointments', offered: ALL, fallback: 'immediate' });
// Seed 003: documents are announced "stets am Folgetag" in a summary — the default stays so.
registerKind({ key: 'documents', label: 'notifications:kinds.documents', offered: ALL, fallback: 'daily' });
registerKind({ key: 'bulletin', label: 'notifications:kinds.bulletin', offered: ALL, fallback: 'immediate' });
// A concern the resident filed or joined must reach them: no "wöchentlich", no "aus".
// Issue 21: a new Direktnachricht (src/features/community/service.ts), at most once per conversation and hour while unread.
registerKind({ key: 'direct_messages', label: 'notifications:kinds.direct_messages', offered: ALL, fallback: 'immediate' });
registerKind({ key: 'tickets', label: 'notifications:kinds.tickets', offered: ['immediate', 'daily'], fallback: 'immediate' });

/** Every kind in the order shown. */
export function notificationKinds(): NotificationKind[] {
  return [...kinds.values()];
}

/** One kind by key, or undefined. */
export function notificationKind(key: string): NotificationKind | undefined {
  return kinds.get(key);
}
