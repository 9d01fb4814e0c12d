import { Router, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import type { BoardPost, BoardReport, PortalUser, Property } from '../../entities/index.ts';
import { sendStoredFile } from '../../http/download.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, textareaField, type FieldMessage } from '../../http/forms.ts';
import { helpers } from '../../http/view-helpers.ts';

type FieldErrors = Record<string, FieldMessage>;
import { pageNumber } from '../../http/paging.ts';
import { discard, receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import {
  boardBarScope,
  boardCommentScope,
  boardParticipantScope,
  boardPhotoScope,
  boardPostParticipantScope,
  boardPostScope,
  boardReportScope,
  boardScope,
  ownBoardCommentScope,
  ownBoardPostScope,
} from '../../scopes/board.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { fileSize } from '../bulletin/service.ts';
import { ticketFilesOrDiscard } from '../tickets/photos.ts';
import { barredUntil } from './board-access.ts';
import { activeBars, barAuthor, boardReports, dismissReport, hideReported, liftBar, restoreReported, validateBar } from './board-moderation.ts';
import {
  addBoardComment,
  BOARD_PHOTO_UPLOADS,
  boardPage,
  COMMENT_MAX,
  createBoardPost,
  deleteBoardComment,
  deleteBoardPost,
  formOfPost,
  keptPhotoCount,
  PHOTOS_MAX,
  postAuthor,
  postComments,
  postForm,
  REASON_MAX,
  reportBoardItem,
  textProblem,
  throttled,
  updateBoardPost,
  validatePost,
  type PostForm,
} from './board-service.ts';

// The Schwarzes Brett in the portal (the Verwaltung's posts and, where the Community-Bereich
// is on, the residents'), and its moderation in the console ("Meldungen"). Mounted with the
// portal routers at /portal and /portal/vorschau (read only) and at /verwaltung.

const PHOTO_FIELD = 'photos';
const boardBase = (base: string, property: Property) => `${base}/liegenschaften/${property.id}/schwarzes-brett`;
const postPath = (base: string, property: Property, post: { id: string }) => `${boardBase(base, property)}/beitraege/${post.id}`;

/** The post form (new or edit), empty, filled, or as submitted with its messages. */
function showPostForm(
  req: Request,
  res: Response,
  scope: { base: string; property: Property; user: PortalUser },
  post: BoardPost | null,
  form: PostForm,
  errors: FieldErrors = {},
  status = 200,
) {
  render(
    req,
    res,
    'community/board-form',
    {
      title: req.t(post ? 'board:editPost' : 'board:newPost'),
      section: 'bulletin',
      form,
      post,
      errors: fieldMessages(req.t, errors),
      action: post ? postPath(scope.base, scope.property, post) : `${boardBase(scope.base, scope.property)}/beitraege`,
      back: post ? postPath(scope.base, scope.property, post) : boardBase(scope.base, scope.property),
      photosMax: PHOTOS_MAX,
      displayName: scope.user.displayName,
      today: berlinDate(req.deps.clock.now()),
    },
    status,
  );
}

type PostPageState = { comment?: string; commentErrors?: FieldErrors; report?: { target: string; reason: string; errors: FieldErrors } };

/** A resident's post with its comments and forms. */
async function showPost(
  req: Request,
  res: Response,
  scope: { base: string; property: Property; post: BoardPost; viewer: { takesPart: boolean }; user: PortalUser | null },
  state: PostPageState = {},
  status = 200,
) {
  const now = req.deps.clock.now();
  const { post, user } = scope;
  const [comments, author, barred] = await Promise.all([
    postComments(req.em, post, now),
    postAuthor(req.em, post, now),
    scope.viewer.takesPart && user ? barredUntil(req.em, post.organization.id, user.id, now) : Promise.resolve(null),
  ]);
  render(
    req,
    res,
    'community/board-post',
    {
      title: post.title,
      section: 'bulletin',
      post,
      author,
      comments,
      viewer: scope.viewer,
      userId: user?.id ?? null,
      barredUntil: barred,
      boardUrl: boardBase(scope.base, scope.property),
      postUrl: postPath(scope.base, scope.property, post),
      comment: state.comment ?? '',
      commentErrors: fieldMessages(req.t, state.commentErrors ?? {}),
      report: state.report ? { ...state.report, errors: fieldMessages(req.t, state.report.errors) } : null,
      notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
    },
    status,
  );
}

/** Receives the multipart post form: the form, the photos re-encoded (only when everything else is valid), the problems. */
async function receivePostForm(req: Request, res: Response, post: BoardPost | null) {
  const received = await receiveUploads(req, res, req.storage, PHOTO_FIELD, BOARD_PHOTO_UPLOADS);
  const form = postForm(req.body);
  const errors = validatePost(form, berlinDate(req.deps.clock.now()));
  const remove = ([] as unknown[]).concat(req.body?.removePhoto ?? []).map(String);
  const kept = post ? keptPhotoCount(post, remove) : 0;
  if (!received.error && kept + received.files.length > PHOTOS_MAX) errors.photos = 'board:errors.tooManyPhotos';
  const photos = await ticketFilesOrDiscard(req.storage, received, errors, PHOTO_FIELD);
  return { form, photos, errors, remove };
}

/** Problems that stop a participant's write before anything is written: a bar (403), then the throttle (429). */
async function writeRefusal(req: Request, user: PortalUser, what: 'posts' | 'comments', at: string): Promise<{ errors: FieldErrors; status: number } | null> {
  const now = req.deps.clock.now();
  const barred = await barredUntil(req.em, user.organization.id, user.id, now);
  if (barred) return { errors: { [at]: ['board:errors.barred', { until: helpers.formatDateTime(barred) }] }, status: 403 };
  const throttle = await throttled(req.em, user, what, now);
  if (throttle) return { errors: { [at]: [throttle.key, { minutes: throttle.minutes }] }, status: 429 };
  return null;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();
  const board = '/liegenschaften/:propertyId/schwarzes-brett';

  router.get(
    board,
    scoped(boardScope, async (req, res, { base, property, viewer, user }) => {
      const now = req.deps.clock.now();
      const page = pageNumber(req.query.seite);
      const [list, barred] = await Promise.all([
        boardPage(req.em, property, { residentPosts: viewer.readsResidentPosts, page, now }),
        viewer.takesPart && user ? barredUntil(req.em, property.organization.id, user.id, now) : Promise.resolve(null),
      ]);
      render(req, res, 'community/board', {
        title: req.t('bulletin:title'),
        section: 'bulletin',
        ...list,
        viewer,
        userId: user?.id ?? null,
        barredUntil: barred,
        boardUrl: boardBase(base, property),
        fileSize,
        notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
      });
    }),
  );

  router.get(
    `${board}/neu`,
    scoped(boardParticipantScope, (req, res, scope) => showPostForm(req, res, scope, null, { title: '', body: '', endsOn: '' })),
  );

  router.post(
    `${board}/beitraege`,
    scoped(boardParticipantScope, async (req, res, scope) => {
      const { form, photos, errors } = await receivePostForm(req, res, null);
      if (Object.keys(errors).length > 0) return showPostForm(req, res, scope, null, form, errors, 422);
      const refusal = await writeRefusal(req, scope.user, 'posts', 'body');
      if (refusal) {
        await discard(photos.flatMap((p) => [p.tempPath, p.thumbPath ?? '']).filter(Boolean));
        return showPostForm(req, res, scope, null, form, refusal.errors, refusal.status);
      }
      const now = req.deps.clock.now();
      const post = await createBoardPost(req.em, req.storage, {
        user: scope.user,
        property: scope.property,
        form,
        photos,
        now,
        baseUrl: req.deps.config.baseUrl,
      });
      res.redirect(303, `${postPath(scope.base, scope.property, post)}?hinweis=veroeffentlicht`);
    }),
  );

  router.get(
    `${board}/beitraege/:postId`,
    scoped(boardPostScope, (req, res, scope) => showPost(req, res, scope)),
  );

  router.get(
    `${board}/beitraege/:postId/bearbeiten`,
    scoped(ownBoardPostScope, (req, res, scope) => showPostForm(req, res, scope, scope.post, formOfPost(scope.post))),
  );

  router.post(
    `${board}/beitraege/:postId`,
    scoped(ownBoardPostScope, async (req, res, scope) => {
      const { form, photos, errors, remove } = await receivePostForm(req, res, scope.post);
      if (Object.keys(errors).length > 0) return showPostForm(req, res, scope, scope.post, form, errors, 422);
      const barred = await barredUntil(req.em, scope.user.organization.id, scope.user.id, req.deps.clock.now());
      if (barred) {
        await discard(photos.flatMap((p) => [p.tempPath, p.thumbPath ?? '']).filter(Boolean));
        return showPostForm(req, res, scope, scope.post, form, { body: ['board:errors.barred', { until: helpers.formatDateTime(barred) }] }, 403);
      }
      await updateBoardPost(req.em, req.storage, scope.post, form, photos, remove, req.deps.clock.now());
      res.redirect(303, `${postPath(scope.base, scope.property, scope.post)}?hinweis=gespeichert`);
    }),
  );

  router.post(
    `${board}/beitraege/:postId/loeschen`,
    scoped(ownBoardPostScope, async (req, res, { base, property, post }) => {
      await deleteBoardPost(req.em, req.storage, post);
      res.redirect(303, `${boardBase(base, property)}?hinweis=geloescht`);
    }),
  );

  router.post(
    `${board}/beitraege/:postId/kommentare`,
    scoped(boardPostParticipantScope, async (req, res, scope) => {
      const body = textareaField(req.body?.body);
      const problem = textProblem(body, COMMENT_MAX, 'board:errors.commentRequired', 'board:errors.commentTooLong');
      if (problem) return showPost(req, res, scope, { comment: body, commentErrors: { body: problem } }, 422);
      const refusal = await writeRefusal(req, scope.user, 'comments', 'body');
      if (refusal) return showPost(req, res, scope, { comment: body, commentErrors: refusal.errors }, refusal.status);
      const comment = await addBoardComment(req.em, scope.post, scope.user, body, req.deps.clock.now());
      res.redirect(303, `${postPath(scope.base, scope.property, scope.post)}#comment-${comment.id}`);
    }),
  );

  router.post(
    `${board}/beitraege/:postId/kommentare/:commentId/loeschen`,
    scoped(ownBoardCommentScope, async (req, res, { base, property, post, comment }) => {
      await deleteBoardComment(req.em, comment);
      res.redirect(303, `${postPath(base, property, post)}?hinweis=kommentar-geloescht`);
    }),
  );

  router.post(
    `${board}/beitraege/:postId/melden`,
    scoped(boardPostParticipantScope, async (req, res, scope) => {
      const reason = textareaField(req.body?.reason);
      const problem = textProblem(reason, REASON_MAX, 'board:errors.reasonRequired', 'board:errors.reasonTooLong');
      if (problem) return showPost(req, res, scope, { report: { target: 'post', reason, errors: { reason: problem } } }, 422);
      const throttle = await throttled(req.em, scope.user, 'reports', req.deps.clock.now());
      if (throttle)
        return showPost(req, res, scope, { report: { target: 'post', reason, errors: { reason: [throttle.key, { minutes: throttle.minutes }] } } }, 429);
      await reportBoardItem(req.em, { post: scope.post, comment: null, reporter: scope.user, reason, now: req.deps.clock.now() });
      res.redirect(303, `${postPath(scope.base, scope.property, scope.post)}?hinweis=gemeldet`);
    }),
  );

  router.post(
    `${board}/beitraege/:postId/kommentare/:commentId/melden`,
    scoped(boardCommentScope, async (req, res, scope) => {
      const reason = textareaField(req.body?.reason);
      const problem = textProblem(reason, REASON_MAX, 'board:errors.reasonRequired', 'board:errors.reasonTooLong');
      if (problem) return showPost(req, res, scope, { report: { target: scope.comment.id, reason, errors: { reason: problem } } }, 422);
      const throttle = await throttled(req.em, scope.user, 'reports', req.deps.clock.now());
      if (throttle)
        return showPost(
          req,
          res,
          scope,
          { report: { target: scope.comment.id, reason, errors: { reason: [throttle.key, { minutes: throttle.minutes }] } } },
          429,
        );
      await reportBoardItem(req.em, { post: scope.post, comment: scope.comment, reporter: scope.user, reason, now: req.deps.clock.now() });
      res.redirect(303, `${postPath(scope.base, scope.property, scope.post)}?hinweis=gemeldet#comment-${scope.comment.id}`);
    }),
  );

  router.get(
    `${board}/beitraege/:postId/fotos/:photoId`,
    scoped(boardPhotoScope, async (req, res, { photo }) => {
      await sendStoredFile(res, req.storage, photo, 'viewable');
    }),
  );

  router.get(
    `${board}/beitraege/:postId/fotos/:photoId/vorschau`,
    scoped(boardPhotoScope, async (req, res, { photo }) => {
      const size = await req.storage.size(photo.thumbKey).catch(() => {
        throw new NotFoundError(`thumbnail of ${photo.id} is missing`);
      });
      await sendStoredFile(res, req.storage, { ...photo, storageKey: photo.thumbKey, size }, 'viewable');
    }),
  );

  return router;
}

const REPORTS = '/verwaltung/meldungen';

/** The console's "Meldungen": open (or handled) reports of the residents' board, and the bars in force. */
async function showReports(
  req: Request,
  res: Response,
  organizationId: string,
  state: { barFor?: BoardReport; bar?: { days: string; reason: string }; barErrors?: FieldErrors } = {},
  status = 200,
) {
  // A bar form sent back with its messages shows in the list that holds its report.
  const handled = state.barFor ? state.barFor.handledAt !== null && state.barFor.handledAt !== undefined : req.query.erledigt === '1';
  const page = pageNumber(req.query.seite);
  const now = req.deps.clock.now();
  const [list, bars] = await Promise.all([boardReports(req.em, organizationId, { handled, page }), activeBars(req.em, organizationId, now)]);
  render(
    req,
    res,
    'community/reports',
    {
      title: req.t('board:reports.title'),
      ...list,
      handled,
      page,
      bars,
      barFor: state.barFor?.id ?? null,
      bar: state.bar ?? { days: '7', reason: '' },
      barErrors: fieldMessages(req.t, state.barErrors ?? {}),
      notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
    },
    status,
  );
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/meldungen',
    scoped(staffScope, (req, res, { organizationId }) => showReports(req, res, organizationId)),
  );

  router.post(
    '/meldungen/:reportId/ausblenden',
    scoped(boardReportScope, async (req, res, { staff, report }) => {
      await hideReported(req.em, report, staff, req.deps.clock.now());
      res.redirect(303, `${REPORTS}?hinweis=ausgeblendet`);
    }),
  );

  router.post(
    '/meldungen/:reportId/wiederherstellen',
    scoped(boardReportScope, async (req, res, { staff, report }) => {
      await restoreReported(req.em, report, staff, req.deps.clock.now());
      res.redirect(303, `${REPORTS}?erledigt=1&hinweis=wiederhergestellt`);
    }),
  );

  router.post(
    '/meldungen/:reportId/erledigt',
    scoped(boardReportScope, async (req, res, { staff, report }) => {
      await dismissReport(req.em, report, staff, req.deps.clock.now());
      res.redirect(303, `${REPORTS}?hinweis=erledigt`);
    }),
  );

  router.post(
    '/meldungen/:reportId/sperren',
    scoped(boardReportScope, async (req, res, { staff, organizationId, report }) => {
      const form = { days: field(req.body?.days), reason: textareaField(req.body?.reason) };
      const { errors, days } = validateBar(form);
      if (Object.keys(errors).length > 0) return showReports(req, res, organizationId, { barFor: report, bar: form, barErrors: errors }, 422);
      const barred = await barAuthor(req.em, report, staff, days, form.reason, req.deps.clock.now());
      if (!barred) return showReports(req, res, organizationId, { barFor: report, bar: form, barErrors: { reason: 'board:errors.authorGone' } }, 422);
      res.redirect(303, `${REPORTS}?hinweis=gesperrt`);
    }),
  );

  router.post(
    '/meldungen/sperren/:barId/aufheben',
    scoped(boardBarScope, async (req, res, { staff, bar }) => {
      await liftBar(req.em, bar, staff, req.deps.clock.now());
      res.redirect(303, `${REPORTS}?hinweis=aufgehoben`);
    }),
  );

  return router;
}
