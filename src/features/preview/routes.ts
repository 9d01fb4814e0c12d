import { brandOf } from '../branding/service.ts';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ForbiddenError, HttpError } from '../../http/errors.ts';
import { scoped } from '../../scopes/scope.ts';
import { propertyScope } from '../../scopes/staff.ts';
import { openPreview, previewedProperty } from './service.ts';

/**
 * The preview cookie is limited to the preview's path: it is never sent to the resident
 * portal or the console, and the resident cookie is never read under it (src/app.ts).
 */
export const PREVIEW_COOKIE = 'hp_preview_session';
import { PREVIEW_BASE } from '../../scopes/portal.ts';

export { PREVIEW_BASE };

/** Console: the red "Vorschau" button of a property page; mounted at /verwaltung/liegenschaften (staff). */
export function consoleRoutes() {
  const router = Router();

  // A GET that creates a session: it grants the same staff member, in the same browser, only
  // a read-only view of a property they can already see in full, so a forged link gains an
  // attacker nothing; and a link with target="_blank" works without JavaScript.
  router.get(
    '/:propertyId/vorschau',
    scoped(propertyScope, async (req, res, { property }) => {
      const token = await openPreview(req.em, req.session!, property, req.deps.clock.now());
      res.cookie(PREVIEW_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.deps.config.secureCookies, path: PREVIEW_BASE });
      res.redirect(303, `${PREVIEW_BASE}/liegenschaften/${property.id}`);
    }),
  );

  return router;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The guard of every portal router mounted under /portal/vorschau: a valid preview session
 * (whose staff session is still valid) or 404, so nothing reveals what exists; then the
 * request is scoped to the property's Verwaltung and the portal sees the property with no
 * roles and no user. Every non-GET is refused here, on the server, whatever the route.
 * Runs once per request although it guards several routers.
 */
export async function requirePreview(req: Request, res: Response, next: NextFunction) {
  if (!req.preview) {
    const token = req.cookies?.[PREVIEW_COOKIE];
    const property = typeof token === 'string' && token !== '' ? await previewedProperty(req.em, token, req.deps.clock.now()) : null;
    if (!property) {
      if (token) res.clearCookie(PREVIEW_COOKIE, { path: PREVIEW_BASE });
      return next(new HttpError(404, 'preview:errors.ended', `no valid preview session for ${req.method} ${req.originalUrl}`));
    }
    req.preview = { property };
  }
  // The preview shows the portal as residents see it: in the Verwaltung's Erscheinungsbild.
  res.locals.brand ??= brandOf(req.preview.property.organization);
  if (!READ_METHODS.has(req.method)) return next(new ForbiddenError('preview:errors.readOnly', `${req.method} ${req.originalUrl} in preview`));
  next();
}
