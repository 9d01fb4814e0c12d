import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './common.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

/**
 * The residents' side of the Schwarzes Brett (issue 21, src/features/community/board-*.ts):
 * posts by residents of a property, their photos and comments, reports ("Melden") and the
 * bars staff put on a resident. The Verwaltung's own posts stay BulletinPost (./content.ts);
 * the board page shows both. Who may read, post and comment is src/features/community/board-access.ts.
 * A post's or comment's author becomes null when the account is deleted; the text stays.
 */
export const BoardPost = defineEntity({
  name: 'BoardPost',
  tableName: 'board_post',
  indexes: [{ properties: ['property', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    author: () => p.manyToOne(PortalUser).nullable().deleteRule('set null').index(),
    title: p.string().length(200),
    body: p.text(),
    /** The last day the post is shown ("Anzeigen bis"); null: until deleted. */
    endsOn: p.date().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Set when the author changed title or text after posting. */
    editedAt: p.datetime().nullable(),
    /** Hidden by staff (moderation): residents no longer see it; staff can restore it. */
    hiddenAt: p.datetime().nullable(),
    hiddenBy: () => p.manyToOne(StaffUser).nullable(),
    photos: () => p.oneToMany(BoardPhoto).mappedBy('post'),
  },
});
export type BoardPost = InferEntity<typeof BoardPost>;

/** A photo of a resident's post, re-encoded like a Vorgang's photo (src/features/tickets/photos.ts), with its thumbnail. */
export const BoardPhoto = defineEntity({
  name: 'BoardPhoto',
  tableName: 'board_photo',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    post: () => p.manyToOne(BoardPost).deleteRule('cascade').index(),
    fileName: p.string().length(255),
    mimeType: p.string().length(100),
    size: p.integer(),
    storageKey: p.string().length(64),
    thumbKey: p.string().length(64),
    width: p.integer(),
    height: p.integer(),
    position: p.integer(),
    createdAt: createdAt(),
  },
});
export type BoardPhoto = InferEntity<typeof BoardPhoto>;

/** A neighbour's comment on a resident's post. */
export const BoardComment = defineEntity({
  name: 'BoardComment',
  tableName: 'board_comment',
  indexes: [{ properties: ['post', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    post: () => p.manyToOne(BoardPost).deleteRule('cascade'),
    author: () => p.manyToOne(PortalUser).nullable().deleteRule('set null').index(),
    body: p.text(),
    createdAt: createdAt(),
    hiddenAt: p.datetime().nullable(),
    hiddenBy: () => p.manyToOne(StaffUser).nullable(),
  },
});
export type BoardComment = InferEntity<typeof BoardComment>;

/** "Melden": a resident reports a post or a comment to staff, with a reason. */
export const BoardReport = defineEntity({
  name: 'BoardReport',
  tableName: 'board_report',
  indexes: [{ properties: ['organization', 'handledAt', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property),
    post: () => p.manyToOne(BoardPost).deleteRule('cascade').index(),
    /** Set when a comment (of `post`) is reported; null when the post itself is. */
    comment: () => p.manyToOne(BoardComment).nullable().deleteRule('cascade').index(),
    reporter: () => p.manyToOne(PortalUser).deleteRule('cascade').index(),
    reason: p.string().length(1000),
    createdAt: createdAt(),
    /** Staff dealt with it (hid, restored, barred or found nothing wrong). */
    handledAt: p.datetime().nullable(),
    handledBy: () => p.manyToOne(StaffUser).nullable(),
  },
});
export type BoardReport = InferEntity<typeof BoardReport>;

/** Staff barred a resident from posting and commenting on every board of the Verwaltung until `until`. */
export const BoardBar = defineEntity({
  name: 'BoardBar',
  tableName: 'board_bar',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    portalUser: () => p.manyToOne(PortalUser).deleteRule('cascade').index(),
    until: p.datetime(),
    reason: p.string().length(500),
    createdBy: () => p.manyToOne(StaffUser),
    createdAt: createdAt(),
    /** Lifted early by staff. */
    liftedAt: p.datetime().nullable(),
  },
});
export type BoardBar = InferEntity<typeof BoardBar>;
