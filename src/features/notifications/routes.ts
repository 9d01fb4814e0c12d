import { Router, type Request, type Response } from 'express';
import { scopeToOrganization } from '../../db/tenant.ts';
import type { NotificationFrequency } from '../../entities/index.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { residentScope } from '../../scopes/portal.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { adminScope } from '../../scopes/staff.ts';
import { recordAnnouncementOpening } from '../announcements/openings.ts';
import { notificationKind, notificationKinds } from './kinds.ts';
import { OPENED_PATH, UNSUBSCRIBE_PATH, validAnnouncementMailLink, validUnsubscribe } from './links.ts';
import { choicesOf, organizationDefaults, parseChoices, saveOrganizationDefaults, saveUserChoices, unsubscribe, type Choices } from './settings.ts';

export { UNSUBSCRIBE_PATH };

const SETTINGS = '/profil/benachrichtigungen';

/** Profil › Benachrichtigungen: the resident's choice per kind. */
export function portalRoutes() {
  const router = Router();
  const show = (req: Request, res: Response, choices: Record<string, string>, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'notifications/settings',
      {
        title: req.t('notifications:settings.title'),
        kinds: notificationKinds(),
        choices,
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
      },
      status,
    );

  router.get(
    SETTINGS,
    scoped(residentScope, async (req, res, { user }) => {
      const choices = (await choicesOf(req.em, user.organization.id, [user.id])).get(user.id)!;
      show(req, res, choices);
    }),
  );

  router.post(
    SETTINGS,
    scoped(residentScope, async (req, res, { user }) => {
      const { choices, errors } = parseChoices(req.body ?? {});
      // "aus" for Vorgänge, posted by hand, and anything else not offered: 422 at the field, nothing saved.
      if (Object.keys(errors).length > 0) return show(req, res, choices, errors, 422);
      await saveUserChoices(req.em, user, choices as Choices, req.deps.clock.now());
      res.redirect(303, `/portal${SETTINGS}?gespeichert=1`);
    }),
  );
  return router;
}

/** Administration › Kundenportal › Benachrichtigungen: the Verwaltung's defaults. */
export function adminRoutes() {
  const router = Router();
  const show = (req: Request, res: Response, choices: Record<string, string>, errors: FieldErrors = {}, status = 200) =>
    render(
      req,
      res,
      'notifications/defaults',
      {
        title: req.t('notifications:defaults.title'),
        kinds: notificationKinds(),
        choices,
        errors: fieldMessages(req.t, errors),
        saved: req.query.gespeichert === '1',
      },
      status,
    );

  router.get(
    '/benachrichtigungen',
    scoped(adminScope, async (req, res, { organizationId }) => show(req, res, await organizationDefaults(req.em, organizationId))),
  );

  router.post(
    '/benachrichtigungen',
    scoped(adminScope, async (req, res, { organizationId }) => {
      const { choices, errors } = parseChoices(req.body ?? {});
      if (Object.keys(errors).length > 0) return show(req, res, choices, errors, 422);
      await saveOrganizationDefaults(req.em, organizationId, choices as Choices);
      res.redirect(303, '/verwaltung/administration/kundenportal/benachrichtigungen?gespeichert=1');
    }),
  );
  return router;
}

type LinkedUser = { id: string; email: string; organization: { id: string } };

/**
 * The user a signed link names, found before any Verwaltung is known (plain SQL, then the
 * EntityManager is scoped to the user's Verwaltung). Null for a deleted or disabled user.
 */
async function linkedUser(req: Request, userId: string): Promise<LinkedUser | null> {
  const [row] = await req.em.execute<Array<{ id: string; email: string; organization_id: string }>>(
    `select id, email, organization_id from portal_user where id = ? and disabled_at is null`,
    [userId],
    'all',
  );
  if (!row) return null;
  scopeToOrganization(req.em, row.organization_id);
  return { id: row.id, email: row.email, organization: { id: row.organization_id } };
}

const DIGESTS: Record<string, NotificationFrequency> = { 'digest-daily': 'daily', 'digest-weekly': 'weekly' };

/** A kind key of an unsubscribe link: a registered kind, or a digest (every kind at that frequency). */
const validKind = (kind: string) => Boolean(notificationKind(kind)) || kind in DIGESTS;

/** One-click unsubscribe (RFC 8058) and the "opened from the mail" link of a Mitteilung: no login, signed links. */
export function publicRoutes() {
  const router = Router();
  const path = `${UNSUBSCRIBE_PATH}/:userId/:kind/:signature`;

  /** The user of a valid link, or the plain page saying it is not (404; nothing changed). */
  async function resolve(req: Request, res: Response): Promise<LinkedUser | null> {
    const { userId, kind, signature } = req.params as Record<string, string>;
    const user = isUuid(userId) && validKind(kind) && validUnsubscribe(userId, kind, signature) ? await linkedUser(req, userId) : null;
    if (!user) render(req, res, 'notifications/unsubscribe', { title: req.t('notifications:unsubscribe.invalidTitle'), layout: 'public', valid: false }, 404);
    return user;
  }

  const kindLabel = (req: Request, kind: string) => String(req.t(notificationKind(kind)?.label ?? `notifications:kinds.${kind}`));

  // A GET only asks (mail scanners follow links); the form posts to the same URL.
  router.get(
    path,
    scoped(publicScope, async (req, res) => {
      const user = await resolve(req, res);
      if (!user) return;
      render(req, res, 'notifications/unsubscribe', {
        title: req.t('notifications:unsubscribe.title'),
        layout: 'public',
        valid: true,
        kindLabel: kindLabel(req, req.params.kind as string),
        email: user.email,
        action: req.originalUrl.split('?')[0],
      });
    }),
  );

  // The one-click POST of a mail client (body "List-Unsubscribe=One-Click") and the form above.
  router.post(
    path,
    scoped(publicScope, async (req, res) => {
      const user = await resolve(req, res);
      if (!user) return;
      const kind = req.params.kind as string;
      const now = req.deps.clock.now();
      let done: string;
      if (kind in DIGESTS) {
        const current = (await choicesOf(req.em, user.organization.id, [user.id])).get(user.id)!;
        for (const each of notificationKinds()) if (current[each.key] === DIGESTS[kind]) await unsubscribe(req.em, user, each.key, now);
        done = req.t('notifications:unsubscribe.doneDigest', { kind: kindLabel(req, kind) });
      } else {
        const frequency = await unsubscribe(req.em, user, kind, now);
        done = frequency === 'off' ? req.t('notifications:unsubscribe.done', { kind: kindLabel(req, kind) }) : req.t('notifications:unsubscribe.doneTickets');
      }
      render(req, res, 'notifications/unsubscribe', { title: req.t('notifications:unsubscribe.title'), layout: 'public', valid: true, done });
    }),
  );

  // A Mitteilung's mail link: counts as opened (no tracking pixel: only a followed link), then the portal page (login if needed).
  router.get(
    `${OPENED_PATH}/:announcementId/:propertyId/:userId/:signature`,
    scoped(publicScope, async (req, res) => {
      const { announcementId, propertyId, userId, signature } = req.params as Record<string, string>;
      const valid = [announcementId, propertyId, userId].every(isUuid) && validAnnouncementMailLink(announcementId, propertyId, userId, signature);
      const user = valid ? await linkedUser(req, userId) : null;
      if (!user)
        return render(req, res, 'notifications/unsubscribe', { title: req.t('notifications:unsubscribe.invalidTitle'), layout: 'public', valid: false }, 404);
      await recordAnnouncementOpening(req.em, user.organization.id, announcementId, user.id, req.deps.clock.now());
      res.redirect(303, `/portal/liegenschaften/${propertyId}/mitteilungen/${announcementId}`);
    }),
  );
  return router;
}
