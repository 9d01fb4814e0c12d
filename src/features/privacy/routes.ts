import { Router, type Request, type Response } from 'express';
import { clearSessionCookie } from '../../auth/middleware.ts';
import { field, fieldMessages } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import type { PortalUser } from '../../entities/index.ts';
import { residentScope } from '../../scopes/portal.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';
import { deleteAccount, exportFileName, streamExport } from './service.ts';

function showPrivacy(req: Request, res: Response, user: PortalUser, errors: Record<string, string> = {}, status = 200) {
  render(req, res, 'privacy/index', { title: req.t('privacy:title'), user, errors }, status);
}

/** Profil › Meine Daten und Konto: the download of everything held about the resident, and "Konto löschen". */
export function portalRoutes() {
  const router = Router();

  router.get(
    '/profil/datenschutz',
    scoped(residentScope, (req, res, { user }) => showPrivacy(req, res, user)),
  );

  // A POST (a button, CSRF-checked): the export is written to the audit log, so no prefetch may start it.
  router.post(
    '/profil/meine-daten',
    scoped(residentScope, async (req, res, { user }) => {
      const now = req.deps.clock.now();
      res.set({
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${exportFileName(now)}"`,
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      await streamExport(req.em, req.storage, user, res, now);
    }),
  );

  router.post(
    '/profil/konto-loeschen',
    scoped(residentScope, async (req, res, { user }) => {
      const errors = await deleteAccount(req.em, req.storage, user, field(req.body.password), req.deps.clock.now());
      if (errors) return showPrivacy(req, res, user, fieldMessages(req.t, errors), 422);
      clearSessionCookie(res, 'portal');
      res.redirect(303, '/portal/konto-geloescht');
    }),
  );

  return router;
}

/** The page after "Konto löschen" (no login any more). */
export function publicRoutes() {
  const router = Router();
  router.get(
    '/konto-geloescht',
    scoped(publicScope, (req, res) => render(req, res, 'privacy/deleted', { layout: 'public', title: req.t('privacy:deleted.title') })),
  );
  return router;
}
