import { Router, type Request, type Response } from 'express';
import type { BulletinPost } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { discard, receiveUploads, type Upload } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { sendStoredFile } from '../../http/download.ts';
import { propertyChoices } from '../faq/shared.ts';
import { generalContentScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { bulletinPostScope, staffScope } from '../../scopes/staff.ts';
import {
  bulletinForm,
  consoleBulletinPosts,
  formOf,
  portalAttachment,
  publishBulletinPost,
  updateBulletinPost,
  validateBulletin,
  withdrawBulletinPost,
  type BulletinForm,
  type FieldErrors,
} from './service.ts';
import { fieldMessages } from '../../http/forms.ts';

// Schwarzes Brett: posts of the Verwaltung per property, with attachments and notification.

const LIST = '/verwaltung/schwarzes-brett';
const UPLOAD_FIELD = 'attachments';

/** The new/edit form, empty, filled from a post, or as submitted with its messages. */
async function showForm(req: Request, res: Response, post: BulletinPost | null, form: BulletinForm, errors: FieldErrors = {}, status = 200) {
  render(
    req,
    res,
    'bulletin/form',
    {
      title: req.t(post ? 'bulletin:edit' : 'bulletin:new'),
      form,
      errors: fieldMessages(req.t, errors),
      properties: post ? [] : await propertyChoices(req.em),
      action: post ? `${LIST}/${post.id}` : LIST,
    },
    status,
  );
}

/** Receives the multipart form; the form's fields and, on problems, the messages per field. Temp files are discarded on problems. */
async function receiveForm(
  req: Request,
  res: Response,
  post: BulletinPost | null,
): Promise<{ form: BulletinForm; uploads: Upload[]; errors: FieldErrors; property?: Awaited<ReturnType<typeof validateBulletin>>['property'] }> {
  const received = await receiveUploads(req, res, req.storage, UPLOAD_FIELD);
  const form = bulletinForm(req.body);
  // The property of a post is fixed once it is published (its residents were notified).
  if (post) form.property = post.property.id;
  const { errors, property } = await validateBulletin(req.em, form);
  if (received.error) errors.attachments = received.error;
  if (Object.keys(errors).length) await discard(received.files.map((f) => f.tempPath));
  return { form, uploads: received.files, errors, property };
}

/** Console routes, mounted at /verwaltung (staff). */
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/schwarzes-brett',
    scoped(staffScope, async (req, res) => {
      const filter = isUuid(req.query.liegenschaft) ? req.query.liegenschaft : null;
      const [posts, properties] = await Promise.all([consoleBulletinPosts(req.em, filter), propertyChoices(req.em)]);
      render(req, res, 'bulletin/index', {
        title: req.t('bulletin:title'),
        posts,
        properties,
        filter,
        notice: typeof req.query.hinweis === 'string' ? req.query.hinweis : null,
      });
    }),
  );

  router.get(
    '/schwarzes-brett/neu',
    scoped(staffScope, (req, res) => {
      const property = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft : '';
      return showForm(req, res, null, { property, title: '', body: '' });
    }),
  );

  router.post(
    '/schwarzes-brett',
    scoped(staffScope, async (req, res, { staff }) => {
      const { form, uploads, errors, property } = await receiveForm(req, res, null);
      if (Object.keys(errors).length || !property) return showForm(req, res, null, form, errors, 422);
      const { post } = await publishBulletinPost(req.em, req.storage, staff, property, form, uploads, req.deps.config.baseUrl, req.deps.clock.now());
      res.redirect(303, `${LIST}?hinweis=veroeffentlicht#bulletin-post-${post.id}`);
    }),
  );

  router.get(
    '/schwarzes-brett/:postId',
    scoped(bulletinPostScope, (req, res, { post }) => showForm(req, res, post, formOf(post))),
  );

  router.post(
    '/schwarzes-brett/:postId',
    scoped(bulletinPostScope, async (req, res, { post }) => {
      const { form, uploads, errors } = await receiveForm(req, res, post);
      if (Object.keys(errors).length) return showForm(req, res, post, form, errors, 422);
      const remove = ([] as unknown[]).concat(req.body.removeAttachment ?? []).map(String);
      await updateBulletinPost(req.em, req.storage, post, form, uploads, remove);
      res.redirect(303, `${LIST}?hinweis=gespeichert#bulletin-post-${post.id}`);
    }),
  );

  router.post(
    '/schwarzes-brett/:postId/zurueckziehen',
    scoped(bulletinPostScope, async (req, res, { post }) => {
      await withdrawBulletinPost(req.em, post);
      res.redirect(303, `${LIST}?hinweis=zurueckgezogen#bulletin-post-${post.id}`);
    }),
  );

  router.get(
    '/schwarzes-brett/:postId/anhaenge/:attachmentId',
    scoped(bulletinPostScope, async (req, res, { post }) => {
      const attachment = post.attachments.getItems().find((a) => a.id === req.params.attachmentId);
      if (!attachment) throw new NotFoundError('attachment not on this post');
      await sendStoredFile(res, req.storage, attachment, 'download');
    }),
  );

  return router;
}

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (preview). */
export function portalRoutes() {
  const router = Router();

  // The board page itself (the Verwaltung's posts with the residents') is src/features/community/board-routes.ts.
  router.get(
    '/liegenschaften/:propertyId/schwarzes-brett/:postId/anhaenge/:attachmentId',
    scoped(generalContentScope, async (req, res, { property }) => {
      const { postId, attachmentId } = req.params;
      if (!isUuid(postId) || !isUuid(attachmentId)) throw new NotFoundError('malformed id');
      const attachment = await portalAttachment(req.em, property.id, String(postId), String(attachmentId));
      if (!attachment) throw new NotFoundError(`attachment ${attachmentId} not on a published post of this property`);
      await sendStoredFile(res, req.storage, attachment, 'download');
    }),
  );

  return router;
}
