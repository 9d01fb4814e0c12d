import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * "Neuer Inhalt": what the Verwaltung publishes into the portals. Announcements and
 * appointments go to chosen properties or to all of them (`allProperties`); FAQ entries and
 * contact persons belong to one property or, without one, to the whole portfolio; notice
 * board posts always belong to one property.
 */
export const CONTENT_STATUSES = ['draft', 'published', 'withdrawn'] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];

/** A Mitteilung. */
export const Announcement = defineEntity({
  name: 'Announcement',
  indexes: [{ properties: ['organization', 'status', 'publishedAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    title: p.string().length(200),
    body: p.text(),
    status: p.enum(CONTENT_STATUSES).default('draft'),
    allProperties: p.boolean().default(false),
    properties: () => p.manyToMany(Property).owner().pivotTable('announcement_property'),
    /** "Im Hausaushang zeigen": on the screens of its properties (src/features/displays). New ones default to on in the form. */
    showOnDisplay: p.boolean().default(false),
    publishedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(StaffUser),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    attachments: () => p.oneToMany(Attachment).mappedBy('announcement'),
  },
});
export type Announcement = InferEntity<typeof Announcement>;

/** A Termin: a dated event in the portal's calendar, either all-day or with times (Berlin). */
export const Appointment = defineEntity({
  name: 'Appointment',
  indexes: [{ properties: ['organization', 'status', 'startsAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    title: p.string().length(200),
    description: p.text().default(''),
    location: p.string().length(200).default(''),
    allDay: p.boolean().default(false),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    status: p.enum(CONTENT_STATUSES).default('published'),
    allProperties: p.boolean().default(false),
    properties: () => p.manyToMany(Property).owner().pivotTable('appointment_property'),
    notifyRecipients: p.boolean().default(false),
    publishedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(StaffUser),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Appointment = InferEntity<typeof Appointment>;

/** A question of "Fragen & Antworten", for one property or (property null) for all. */
export const FaqEntry = defineEntity({
  name: 'FaqEntry',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).nullable(),
    question: p.string().length(300),
    answer: p.text(),
    position: p.integer().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type FaqEntry = InferEntity<typeof FaqEntry>;

/** An Ansprechpartner shown in the portal, for one property or (property null) for all. */
export const ContactPerson = defineEntity({
  name: 'ContactPerson',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).nullable(),
    name: p.string().length(200),
    role: p.string().length(200).default(''),
    phone: p.string().length(50).nullable(),
    email: p.string().length(254).nullable(),
    position: p.integer().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type ContactPerson = InferEntity<typeof ContactPerson>;

/** A post on the Schwarzes Brett of one property, written by staff. */
export const BulletinPost = defineEntity({
  name: 'BulletinPost',
  indexes: [{ properties: ['property', 'publishedAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    title: p.string().length(200),
    body: p.text(),
    status: p.enum(CONTENT_STATUSES).default('published'),
    publishedAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(StaffUser),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    attachments: () => p.oneToMany(Attachment).mappedBy('bulletinPost'),
  },
});
export type BulletinPost = InferEntity<typeof BulletinPost>;

/** A file attached to a Mitteilung or a notice board post; the bytes are in FileStorage. */
export const Attachment = defineEntity({
  name: 'Attachment',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    announcement: () => p.manyToOne(Announcement).nullable().deleteRule('cascade').index(),
    bulletinPost: () => p.manyToOne(BulletinPost).nullable().deleteRule('cascade').index(),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.integer(),
    storageKey: p.string().length(64),
    createdAt: createdAt(),
  },
});
export type Attachment = InferEntity<typeof Attachment>;
