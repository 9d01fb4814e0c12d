import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter, type RowCondition } from '../../db/row-condition.ts';
import { Attachment, BulletinPost, type Property, type StaffUser } from '../../entities/index.ts';
import type { Upload } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { portalUsersWithAccess } from '../access/service.ts';
import { resolvePropertyChoice } from '../faq/shared.ts';
import { notify } from '../notifications/notify.ts';
import type { FieldErrors } from '../../http/forms.ts';

export type BulletinForm = { property: string; title: string; body: string };
export type { FieldErrors };

export const TITLE_MAX = 200;
export const BODY_MAX = 50000;

/** The form as submitted, trimmed; missing fields are empty. */
export function bulletinForm(body: Record<string, unknown> | undefined): BulletinForm {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { property: text(body?.property).trim(), title: text(body?.title).trim(), body: text(body?.body).replace(/\r\n/g, '\n').trim() };
}

export function formOf(post: BulletinPost): BulletinForm {
  return { property: post.property.id, title: post.title, body: post.body };
}

/** Checks the form; returns i18n keys per field and the chosen property. */
export async function validateBulletin(em: Em, form: BulletinForm): Promise<{ errors: FieldErrors; property: Property | undefined }> {
  const errors: FieldErrors = {};
  const property = form.property ? await resolvePropertyChoice(em, form.property, false) : undefined;
  if (!property) errors.property = 'bulletin:errors.propertyRequired';
  if (!form.title) errors.title = 'bulletin:errors.titleRequired';
  else if (form.title.length > TITLE_MAX) errors.title = 'bulletin:errors.titleTooLong';
  if (!form.body) errors.body = 'bulletin:errors.bodyRequired';
  else if (form.body.length > BODY_MAX) errors.body = 'bulletin:errors.bodyTooLong';
  return { errors, property: property ?? undefined };
}

/** The console list, newest first, optionally of one property; one query with properties and attachments. */
export function consoleBulletinPosts(em: Em, propertyId: string | null) {
  return em.find(BulletinPost, propertyId ? { property: propertyId } : {}, {
    populate: ['property', 'attachments', 'createdBy'],
    orderBy: { createdAt: 'desc', id: 'asc' },
  });
}

/**
 * Posts residents of a property see: its own, published. The one statement of the rule, as
 * SQL (the portal start page, src/features/portal/service.ts) and, through asEntityFilter,
 * for the entity queries below.
 */
export const bulletinPostVisibleIn =
  (propertyId: string): RowCondition =>
  (b) =>
    sql`${sql.ref(`${b}.property_id`)} = ${propertyId} and ${sql.ref(`${b}.status`)} = 'published'`;

/** The newest published posts of a property (the portal start page reads the same in SQL, src/features/portal/service.ts). */
export function latestBulletinPosts(em: Em, propertyId: string, limit: number) {
  return em.find(BulletinPost, asEntityFilter(em, bulletinPostVisibleIn(propertyId)), { orderBy: { publishedAt: 'desc', id: 'asc' }, limit });
}

/**
 * An attachment a resident may download: it belongs to a published post of this property.
 * Null otherwise (the route answers 404).
 */
export function portalAttachment(em: Em, propertyId: string, postId: string, attachmentId: string) {
  return em.findOne(Attachment, { id: attachmentId, bulletinPost: { id: postId, property: propertyId, status: 'published' } });
}

/**
 * Moves accepted uploads into the store, creates their Attachment rows and flushes with
 * everything else the caller prepared: rows and files together or neither (storeThenWrite).
 */
function attachAndFlush(em: Em, storage: FileStorage, post: BulletinPost, uploads: Upload[]) {
  return storeThenWrite(
    storage,
    uploads.map((u) => u.tempPath),
    async (keys) => {
      uploads.forEach((upload, i) => {
        em.create(Attachment, {
          organization: post.organization,
          bulletinPost: post,
          fileName: upload.fileName,
          mimeType: upload.mimeType,
          size: upload.size,
          storageKey: keys[i],
        });
      });
      await em.flush();
    },
  );
}

/**
 * Publishes a new post with its attachments and queues one e-mail to every registered
 * resident of the property: post, attachments and mails in one flush.
 */
export async function publishBulletinPost(
  em: Em,
  storage: FileStorage,
  author: StaffUser,
  property: Property,
  form: BulletinForm,
  uploads: Upload[],
  baseUrl: string,
  now: Date,
) {
  const post = em.create(BulletinPost, {
    organization: author.organization,
    property,
    title: form.title,
    body: form.body,
    status: 'published',
    publishedAt: now,
    createdBy: author,
  });
  const recipients = await portalUsersWithAccess(em, [property.id], now);
  const link = `${baseUrl}/portal/liegenschaften/${property.id}/schwarzes-brett#bulletin-post-${post.id}`;
  await notify(em, {
    kind: 'bulletin',
    organization: author.organization,
    baseUrl,
    now,
    notices: recipients.map((user) => ({
      user,
      propertyId: property.id,
      title: post.title,
      link,
      template: 'bulletin-post',
      data: { propertyName: property.name, title: post.title, body: post.body, attachments: uploads.length, link },
    })),
  });
  await attachAndFlush(em, storage, post, uploads);
  return { post, recipients: recipients.length };
}

/** Saves an edited post: text, new attachments, removed ones. No second e-mail. */
export async function updateBulletinPost(em: Em, storage: FileStorage, post: BulletinPost, form: BulletinForm, uploads: Upload[], removeIds: string[]) {
  post.title = form.title;
  post.body = form.body;
  const removed = post.attachments.getItems().filter((a) => removeIds.includes(a.id));
  for (const attachment of removed) em.remove(attachment);
  await attachAndFlush(em, storage, post, uploads);
  // The rows are gone; now the bytes (a crash here leaves an orphan file, never a broken row).
  await Promise.all(removed.map((a) => storage.remove(a.storageKey)));
}

/** Takes a post off the notice board; residents no longer see it or its attachments. */
export async function withdrawBulletinPost(em: Em, post: BulletinPost) {
  post.status = 'withdrawn';
  await em.flush();
}

const sizeFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });

/** "1,2 MB", "340 KB" for the attachment lists. */
export function fileSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${sizeFormat.format(bytes / (1024 * 1024))} MB`;
  return `${sizeFormat.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
}
