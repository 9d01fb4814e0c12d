import { BoardBar, BoardReport } from '../entities/index.ts';
import { NotFoundError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import { boardViewer, seesBoard } from '../features/community/board-access.ts';
import { visibleBoardPost, visibleComment } from '../features/community/board-service.ts';
import { sectionScope } from './portal.ts';
import { within } from './scope.ts';
import { findInScope, staffScope } from './staff.ts';

// The residents' Schwarzes Brett (issue 21): its scopes load through the board's one rule
// (src/features/community/board-access.ts). Where the Community-Bereich is off, or the visitor
// does not take part (a Dienstleister, a Gewerbemitarbeiter without the switch), every
// resident post, comment, photo and form is a 404; the board page itself stays, staff-only.

/** The property's board for the visitor (resident or preview), with what the rule lets them do there. */
export const boardScope = within(sectionScope('bulletin'), 'board', ({ preview, property, access }) => {
  if (!preview && !seesBoard(property.organization, access)) throw new NotFoundError('no Schwarzes Brett for this role');
  return { viewer: boardViewer(property.organization, { preview, property, access }) };
});

/** A resident who takes part in the board (writes, comments, reports); never the preview. */
export const boardParticipantScope = within(boardScope, 'participant', ({ viewer, user }) => {
  if (!viewer.takesPart || !user) throw new NotFoundError('not taking part in the community board here');
  return { user };
});

/** A resident's post on the URL's board, as residents see it now, when the visitor reads the residents' side. */
export const boardPostScope = within(boardScope, 'post', async ({ viewer, property }, req) => {
  const postId = req.params.postId;
  if (!viewer.readsResidentPosts || !isUuid(postId)) throw new NotFoundError(`board post ${String(postId)} not readable here`);
  const post = await visibleBoardPost(req.em, property, postId, req.deps.clock.now());
  if (!post) throw new NotFoundError(`board post ${postId} not visible`);
  return { post };
});

/** The post, for a participant (comment, report). */
export const boardPostParticipantScope = within(boardPostScope, 'participant', async (_scope, req, res) => boardParticipantScope.load(req, res));

/** The participant's own post (edit, delete). */
export const ownBoardPostScope = within(boardPostParticipantScope, 'own', ({ post, user }) => {
  if (post.author?.id !== user.id) throw new NotFoundError(`board post ${post.id} is not ${user.id}'s`);
  return {};
});

/** A photo of the post. */
export const boardPhotoScope = within(boardPostScope, 'photo', ({ post }, req) => {
  const photo = post.photos.getItems().find((p) => p.id === req.params.photoId);
  if (!photo) throw new NotFoundError('photo not on this post');
  return { photo };
});

/** A visible comment of the post, for a participant. */
export const boardCommentScope = within(boardPostParticipantScope, 'comment', async ({ post }, req) => {
  const commentId = req.params.commentId;
  const comment = isUuid(commentId) ? await visibleComment(req.em, post, commentId) : null;
  if (!comment) throw new NotFoundError(`comment ${String(commentId)} not visible`);
  return { comment };
});

/** The participant's own comment (delete). */
export const ownBoardCommentScope = within(boardCommentScope, 'own', ({ comment, user }) => {
  if (comment.author?.id !== user.id) throw new NotFoundError(`comment ${comment.id} is not ${user.id}'s`);
  return {};
});

// Console: reports and bars of the staff member's Verwaltung.

/** A report (…/meldungen/:reportId) of the Verwaltung, with what was reported and its author. */
export const boardReportScope = within(staffScope, 'board report', async ({ organizationId }, req) => ({
  report: await findInScope(req, BoardReport, 'reportId', { organization: organizationId }, { populate: ['post.author', 'comment.author'] }),
}));

/** A bar (…/meldungen/sperren/:barId) of the Verwaltung. */
export const boardBarScope = within(staffScope, 'board bar', async ({ organizationId }, req) => ({
  bar: await findInScope(req, BoardBar, 'barId', { organization: organizationId }),
}));
