import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Contact } from './contact.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * How often a resident hears about a kind of content by e-mail (Profil › Benachrichtigungen).
 * The kinds and which frequencies each offers are the registry in
 * src/features/notifications/kinds.ts; a kind without a row here takes the Verwaltung's default.
 */
export const NOTIFICATION_FREQUENCIES = ['immediate', 'daily', 'weekly', 'off'] as const;
export type NotificationFrequency = (typeof NOTIFICATION_FREQUENCIES)[number];

/** A resident's own choice for one kind. */
export const NotificationSetting = defineEntity({
  name: 'NotificationSetting',
  tableName: 'notification_setting',
  properties: {
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    kind: p.string().length(40).primary(),
    organization: () => p.manyToOne(Organization),
    frequency: p.enum(NOTIFICATION_FREQUENCIES),
    updatedAt: p.datetime(),
  },
});
export type NotificationSetting = InferEntity<typeof NotificationSetting>;

/** The Verwaltung's default for one kind (Administration › Kundenportal › Benachrichtigungen). */
export const NotificationDefault = defineEntity({
  name: 'NotificationDefault',
  tableName: 'notification_default',
  properties: {
    organization: () => p.manyToOne(Organization).primary().deleteRule('cascade'),
    kind: p.string().length(40).primary(),
    frequency: p.enum(NOTIFICATION_FREQUENCIES),
  },
});
export type NotificationDefault = InferEntity<typeof NotificationDefault>;

/**
 * Something a resident is to be told about in a later digest (daily or weekly choice): written
 * by the feature's notify call with the title and the link it would have mailed at once, and
 * marked `digestedAt` in the transaction that puts the digest mail into the outbox.
 * Documents are not queued: the digest asks documents/visibility.ts at the time of sending.
 */
export const NotificationItem = defineEntity({
  name: 'NotificationItem',
  tableName: 'notification_item',
  indexes: [{ properties: ['organization', 'digestedAt', 'createdAt'] }, { properties: ['portalUser', 'digestedAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    portalUser: () => p.manyToOne(PortalUser).deleteRule('cascade'),
    kind: p.string().length(40),
    property: () => p.manyToOne(Property).nullable().deleteRule('cascade'),
    title: p.string().length(300),
    link: p.string().length(1000),
    createdAt: p.datetime(),
    digestedAt: p.datetime().nullable(),
  },
});
export type NotificationItem = InferEntity<typeof NotificationItem>;

/**
 * One row per user and digest period ("d:2026-12-05" for a day, "w:2026-11-30" for the week
 * from that Monday), written in the same transaction as the digest mail: the marker that makes
 * the digest idempotent (it replaced the document digest and its markers).
 */
export const NotificationDigest = defineEntity({
  name: 'NotificationDigest',
  tableName: 'notification_digest',
  properties: {
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    period: p.string().length(20).primary(),
    organization: () => p.manyToOne(Organization),
    itemCount: p.integer(),
    createdAt: createdAt(),
  },
});
export type NotificationDigest = InferEntity<typeof NotificationDigest>;

/** When a resident first opened a Mitteilung (its portal page, or the link in its mail). No tracking pixel. */
export const AnnouncementOpening = defineEntity({
  name: 'AnnouncementOpening',
  tableName: 'announcement_opening',
  properties: {
    announcementId: p.uuid().primary(),
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    organization: () => p.manyToOne(Organization),
    openedAt: p.datetime(),
  },
});
export type AnnouncementOpening = InferEntity<typeof AnnouncementOpening>;

export const POSTAL_SUBJECTS = ['announcement', 'document'] as const;

/** "Per Post versandt": a letter printed for a contact who had not opened a Mitteilung or document. */
export const PostalDelivery = defineEntity({
  name: 'PostalDelivery',
  tableName: 'postal_delivery',
  indexes: [{ properties: ['organization', 'subjectType', 'subjectId'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    subjectType: p.enum(POSTAL_SUBJECTS),
    subjectId: p.uuid(),
    contact: () => p.manyToOne(Contact).deleteRule('cascade'),
    staffUser: () => p.manyToOne(StaffUser).nullable(),
    sentAt: p.datetime(),
  },
});
export type PostalDelivery = InferEntity<typeof PostalDelivery>;
