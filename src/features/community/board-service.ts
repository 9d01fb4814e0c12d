import { sql } from 'kysely';
import { berlinDate } from '../../clock.ts';
import { countAttempt, minutesUntil } from '../../auth/throttle.ts';
import type { Em } from '../../db/orm.ts';
import { asEntityFilter } from '../../db/row-condition.ts';
import { BoardComment, BoardPhoto, BoardPost, BoardReport, type PortalUser, type Property } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import type { AcceptedTypes } from '../../http/upload.ts';
import { storeThenWrite, type FileStorage } from '../../storage/files.ts';
import { accessPairs, propertyAccessOfUsers } from '../access/service.ts';
import { bulletinPostVisibleIn } from '../bulletin/service.ts';
import { notify } from '../notifications/notify.ts';
import type { PreparedFile } from '../tickets/photos.ts';
import { boardCommentVisible, boardPostVisible, isFormerResident, takesPartIn } from './board-access.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

// The residents' side of the Schwarzes Brett (issue 21): the board page (the Verwaltung's
// posts and the residents' in one paged list), a post with its comments, writing, editing,
// deleting, reporting. Who may do what is ./board-access.ts; the scopes (src/scopes/board.ts)
// load through it, so nothing here asks again.

export type { FieldErrors };

export const TITLE_MAX = 200;
export const BODY_MAX = 5000;
export const COMMENT_MAX = 2000;
export const REASON_MAX = 1000;
export const PHOTOS_MAX = 5;
/** Posts per board page. */
export const BOARD_PAGE_SIZE = 20;
/** Comments shown under a post (the newest); a longer discussion shows its last ones. */
export const COMMENTS_SHOWN = 200;
/** "Anzeigen bis" at most this far ahead. */
const ENDS_ON_MAX_DAYS = 366;

/** Throttles (counted in login_throttle, so they hold across instances): posts, comments and reports per resident. */
export const BOARD_THROTTLE = {
  posts: { limit: 5, windowMs: 60 * 60 * 1000 },
  comments: { limit: 30, windowMs: 15 * 60 * 1000 },
  reports: { limit: 20, windowMs: 15 * 60 * 1000 },
};

/** Photos of a post: JPEG, PNG and WebP, decided by content (src/http/upload.ts). */
export const BOARD_PHOTO_UPLOADS: AcceptedTypes = {
  types: new Map([
    ['jpg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
  ]),
  wrongType: 'board:errors.photoType',
};

export type PostForm = { title: string; body: string; endsOn: string };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The post form as submitted, trimmed. */
export function postForm(body: Record<string, unknown> | undefined): PostForm {
  return { title: text(body?.title).trim(), body: text(body?.body).replace(/\r\n/g, '\n').trim(), endsOn: text(body?.endsOn).trim() };
}

export function formOfPost(post: BoardPost): PostForm {
  return { title: post.title, body: post.body, endsOn: post.endsOn ?? '' };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The form's problems as i18n keys per field (`today`: Berlin date). */
export function validatePost(form: PostForm, today: string): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.title) errors.title = 'board:errors.titleRequired';
  else if (form.title.length > TITLE_MAX) errors.title = 'board:errors.titleTooLong';
  if (!form.body) errors.body = 'board:errors.bodyRequired';
  else if (form.body.length > BODY_MAX) errors.body = 'board:errors.bodyTooLong';
  if (form.endsOn) {
    const date = ISO_DATE.test(form.endsOn) ? new Date(`${form.endsOn}T12:00:00Z`) : null;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== form.endsOn) errors.endsOn = 'board:errors.endsOnInvalid';
    else if (form.endsOn < today) errors.endsOn = 'board:errors.endsOnPast';
    else if (date.getTime() - new Date(`${today}T12:00:00Z`).getTime() > ENDS_ON_MAX_DAYS * 86_400_000) errors.endsOn = 'board:errors.endsOnTooFar';
  }
  return errors;
}

/** A comment's or report's text problem, or null. */
export function textProblem(body: string, max: number, required: string, tooLong: string): string | null {
  if (!body) return required;
  if (body.length > max) return tooLong;
  return null;
}

/**
 * Counts one post (or comment) of the user against BOARD_THROTTLE; the i18n key and the
 * minutes to wait when over it, else null. Counted only for a valid submission about to be written.
 */
export async function throttled(em: Em, user: PortalUser, what: keyof typeof BOARD_THROTTLE, now: Date): Promise<{ key: string; minutes: number } | null> {
  const { limit, windowMs } = BOARD_THROTTLE[what];
  const until = await countAttempt(em, [{ key: `board-${what}:${user.id}`, limit, windowMs }], now);
  return until ? { key: `board:errors.throttled.${what}`, minutes: minutesUntil(until, now) } : null;
}

// --- Reading ------------------------------------------------------------------------------

export type BoardAuthor = { id: string | null; displayName: string | null; former: boolean };
export type BoardEntry =
  | {
      kind: 'staff';
      id: string;
      title: string;
      body: string;
      at: Date;
      attachments: Array<{ id: string; fileName: string; size: number }>;
    }
  | {
      kind: 'resident';
      id: string;
      title: string;
      body: string;
      at: Date;
      endsOn: string | null;
      editedAt: Date | null;
      author: BoardAuthor;
      photos: Array<{ id: string; fileName: string; width: number; height: number }>;
      comments: number;
    };

type EntryRow = {
  kind: 'staff' | 'resident';
  id: string;
  title: string;
  body: string;
  at: string;
  endsOn: string | null;
  editedAt: string | null;
  authorId: string | null;
  displayName: string | null;
  files: Array<{ id: string; fileName: string; size: number; width: number; height: number }>;
  comments: number;
};

/**
 * One page of a property's board, newest first: the Verwaltung's published posts
 * (bulletinPostVisibleIn) and, with `residentPosts`, the residents' (boardPostVisible), in ONE
 * statement of plain rows (files and comment counts as sub-selects); and, when residents'
 * posts are on the page, one more for whether their authors still live there. `hasNext`
 * by reading one row more than shown.
 */
export async function boardPage(em: Em, property: Property, options: { residentPosts: boolean; page: number; now: Date }) {
  const organizationId = property.organization.id;
  const day = berlinDate(options.now);
  const offset = (options.page - 1) * BOARD_PAGE_SIZE;
  // First the page's ids (both kinds, ordered and cut), then their texts, files and comment
  // counts for those rows only: the sub-selects never run for the 5,000 posts off the page.
  const staff = sql`
    select 'staff' as kind, bp.id, bp.published_at as at from bulletin_post bp
    where bp.organization_id = ${organizationId} and ${bulletinPostVisibleIn(property.id)('bp')}`;
  const residents = sql`
    select 'resident', p.id, p.created_at from board_post p
    where p.organization_id = ${organizationId} and ${boardPostVisible(property.id, day)('p')}`;
  const { rows } = await sql<EntryRow>`
    with page as (
      select * from (${staff} ${options.residentPosts ? sql`union all ${residents}` : sql``}) e
      order by e.at desc, e.id limit ${sql.lit(BOARD_PAGE_SIZE + 1)} ${offsetSql(offset)})
    select page.kind, page.id, page.at, coalesce(bp.title, p.title) as title, coalesce(bp.body, p.body) as body,
      p.ends_on as "endsOn", p.edited_at as "editedAt", p.author_id as "authorId", u.display_name as "displayName",
      case when page.kind = 'staff' then
        coalesce((select json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'size', f.size) order by f.created_at, f.ctid)
                  from attachment f where f.bulletin_post_id = page.id), '[]'::json)
      else
        coalesce((select json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'size', f.size, 'width', f.width, 'height', f.height) order by f.position)
                  from board_photo f where f.post_id = page.id), '[]'::json)
      end as files,
      case when page.kind = 'staff' then 0
        else (select count(*)::int from board_comment c where c.post_id = page.id and ${boardCommentVisible('c')}) end as comments
    from page
    left join bulletin_post bp on page.kind = 'staff' and bp.id = page.id
    left join board_post p on page.kind = 'resident' and p.id = page.id
    left join portal_user u on u.id = p.author_id
    order by page.at desc, page.id`.execute(em.getKysely());
  const shown = rows.slice(0, BOARD_PAGE_SIZE);
  const former = await formerAuthors(
    em,
    property,
    shown.filter((row) => row.kind === 'resident' && row.authorId).map((row) => row.authorId!),
    options.now,
  );
  const entries: BoardEntry[] = shown.map((row) =>
    row.kind === 'staff'
      ? { kind: 'staff', id: row.id, title: row.title, body: row.body, at: new Date(row.at), attachments: row.files }
      : {
          kind: 'resident',
          id: row.id,
          title: row.title,
          body: row.body,
          at: new Date(row.at),
          endsOn: row.endsOn,
          editedAt: row.editedAt ? new Date(row.editedAt) : null,
          author: { id: row.authorId, displayName: row.displayName, former: !row.authorId || former.has(row.authorId) },
          photos: row.files,
          comments: row.comments,
        },
  );
  return { entries, page: options.page, hasNext: rows.length > BOARD_PAGE_SIZE };
}

/** Those of the authors who no longer live in the property (one statement, none for no authors). */
async function formerAuthors(em: Em, property: Property, authorIds: string[], now: Date): Promise<Set<string>> {
  const ids = [...new Set(authorIds)];
  if (ids.length === 0) return new Set();
  const access = await propertyAccessOfUsers(em, property.organization.id, property, ids, now);
  return new Set(ids.filter((id) => isFormerResident(access.get(id))));
}

/** A resident's post residents may see on `now`'s Berlin day, as an entity (for the scopes), or null. */
export function visibleBoardPost(em: Em, property: Property, postId: string, now: Date): Promise<BoardPost | null> {
  return em.findOne(BoardPost, { id: postId, ...asEntityFilter(em, boardPostVisible(property.id, berlinDate(now))) }, { populate: ['photos', 'author'] });
}

export type CommentView = { id: string; body: string; at: Date; author: BoardAuthor };

/** The visible comments of a post, oldest first (the last COMMENTS_SHOWN), with whether their authors still live there. */
export async function postComments(em: Em, post: BoardPost, now: Date): Promise<CommentView[]> {
  const { rows } = await sql<{ id: string; body: string; at: string; authorId: string | null; displayName: string | null }>`
    select * from (
      select c.id, c.body, c.created_at as at, c.author_id as "authorId", u.display_name as "displayName"
      from board_comment c left join portal_user u on u.id = c.author_id
      where c.organization_id = ${post.organization.id} and c.post_id = ${post.id} and ${boardCommentVisible('c')}
      order by c.created_at desc, c.id desc limit ${sql.lit(COMMENTS_SHOWN)}) c
    order by c.at, c.id`.execute(em.getKysely());
  const authorIds = [...rows.map((r) => r.authorId), post.author?.id ?? null].filter((id): id is string => id !== null);
  const former = await formerAuthors(em, post.property, authorIds, now);
  return rows.map((row) => ({
    id: row.id,
    body: row.body,
    at: new Date(row.at),
    author: { id: row.authorId, displayName: row.displayName, former: !row.authorId || former.has(row.authorId) },
  }));
}

/** A post's author as the board shows them. */
export async function postAuthor(em: Em, post: BoardPost, now: Date): Promise<BoardAuthor> {
  if (!post.author) return { id: null, displayName: null, former: true };
  const former = await formerAuthors(em, post.property, [post.author.id], now);
  return { id: post.author.id, displayName: post.author.displayName ?? null, former: former.has(post.author.id) };
}

// --- Writing ------------------------------------------------------------------------------

/** Moves prepared photos and their thumbnails into the store and writes their rows with the caller's other changes: all or nothing. */
function storePhotosThenFlush(em: Em, storage: FileStorage, post: BoardPost, photos: PreparedFile[], firstPosition: number) {
  const paths = photos.flatMap((photo) => [photo.tempPath, photo.thumbPath!]);
  return storeThenWrite(storage, paths, async (keys) => {
    photos.forEach((photo, i) => {
      em.create(BoardPhoto, {
        organization: post.organization,
        post,
        fileName: photo.fileName,
        mimeType: photo.mimeType,
        size: photo.size,
        storageKey: keys[i * 2],
        thumbKey: keys[i * 2 + 1],
        width: photo.width ?? 0,
        height: photo.height ?? 0,
        position: firstPosition + i,
      });
    });
    await em.flush();
  });
}

/**
 * Writes a resident's post with its photos and tells the property's other participants
 * through the notification choices (kind "bulletin"). A resident's word never mails the
 * whole house at once: the notices go with `immediate: 'digest'`, so "sofort" means the
 * next daily digest for these posts (README "Schwarzes Brett der Bewohner").
 */
export async function createBoardPost(
  em: Em,
  storage: FileStorage,
  input: { user: PortalUser; property: Property; form: PostForm; photos: PreparedFile[]; now: Date; baseUrl: string },
) {
  const { user, property, form, now } = input;
  const post = em.create(BoardPost, {
    organization: property.organization,
    property,
    author: user,
    title: form.title,
    body: form.body,
    endsOn: form.endsOn || null,
    createdAt: now,
  });
  const link = `${input.baseUrl}/portal/liegenschaften/${property.id}/schwarzes-brett/beitraege/${post.id}`;
  const recipients = await boardParticipants(em, property, now, user.id);
  await notify(em, {
    kind: 'bulletin',
    organization: property.organization,
    baseUrl: input.baseUrl,
    now,
    immediate: 'digest',
    notices: recipients.map((recipient) => ({
      user: recipient,
      propertyId: property.id,
      title: post.title,
      link,
      template: 'bulletin-post',
      data: {},
    })),
  });
  await storePhotosThenFlush(em, storage, post, input.photos, 0);
  return post;
}

/** The registered, enabled users who take part in the property's board now (./board-access.ts), but `except`. */
async function boardParticipants(em: Em, property: Property, now: Date, except: string) {
  const pairs = await accessPairs(em, property.organization.id, now);
  const ids = pairs
    .filter((pair) => pair.propertyId === property.id && pair.portalUserId !== except && takesPartIn(property.organization, property, pair.activeRoles))
    .map((pair) => pair.portalUserId);
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string; email: string; name: string; locale: string }>`
    select id, email, name, locale from portal_user
    where organization_id = ${property.organization.id} and id in (${sql.join(ids)}) and password_hash is not null and disabled_at is null
    order by email`.execute(em.getKysely());
  return rows;
}

/** Saves the author's changes: text, end date, photos removed and added (at most PHOTOS_MAX in all). */
export async function updateBoardPost(em: Em, storage: FileStorage, post: BoardPost, form: PostForm, photos: PreparedFile[], removeIds: string[], now: Date) {
  if (post.title !== form.title || post.body !== form.body) post.editedAt = now;
  post.title = form.title;
  post.body = form.body;
  post.endsOn = form.endsOn || null;
  const removed = post.photos.getItems().filter((photo) => removeIds.includes(photo.id));
  for (const photo of removed) em.remove(photo);
  const kept = post.photos.getItems().filter((photo) => !removeIds.includes(photo.id));
  const next = kept.reduce((max, photo) => Math.max(max, photo.position + 1), 0);
  await storePhotosThenFlush(em, storage, post, photos, next);
  await Promise.all(removed.flatMap((photo) => [storage.remove(photo.storageKey), storage.remove(photo.thumbKey)]));
}

/** How many photos the post keeps after removing these. */
export function keptPhotoCount(post: BoardPost, removeIds: string[]): number {
  return post.photos.getItems().filter((photo) => !removeIds.includes(photo.id)).length;
}

/** Deletes a post with its photos, comments and reports (rows first, then the bytes). */
export async function deleteBoardPost(em: Em, storage: FileStorage, post: BoardPost) {
  const keys = post.photos.getItems().flatMap((photo) => [photo.storageKey, photo.thumbKey]);
  await em.nativeDelete(BoardPost, { id: post.id });
  await Promise.all(keys.map((key) => storage.remove(key)));
}

/** A neighbour's comment. */
export async function addBoardComment(em: Em, post: BoardPost, user: PortalUser, body: string, now: Date) {
  const comment = em.create(BoardComment, { organization: post.organization, post, author: user, body, createdAt: now });
  await em.flush();
  return comment;
}

/** A visible comment of the post, or null. */
export function visibleComment(em: Em, post: BoardPost, commentId: string) {
  return em.findOne(BoardComment, { id: commentId, post: post.id, hiddenAt: null }, { populate: ['author'] });
}

/** Deletes the user's own comment (with its reports). */
export async function deleteBoardComment(em: Em, comment: BoardComment) {
  await em.nativeDelete(BoardComment, { id: comment.id });
}

/** "Melden": a report of the post or one of its comments to staff. */
export async function reportBoardItem(em: Em, input: { post: BoardPost; comment: BoardComment | null; reporter: PortalUser; reason: string; now: Date }) {
  const report = em.create(BoardReport, {
    organization: input.post.organization,
    property: input.post.property,
    post: input.post,
    comment: input.comment,
    reporter: input.reporter,
    reason: input.reason,
    createdAt: input.now,
  });
  await em.flush();
  return report;
}
