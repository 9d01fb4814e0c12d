import { Router } from 'express';
import { isLanguage, LANGUAGE_COOKIE } from '../../http/i18n.ts';
import { render } from '../../http/views.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';

/** The public front door, the language switch and the health check. */
export function homeRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(publicScope, (req, res) => render(req, res, 'home/index', { title: 'Hausportal' })),
  );

  // A preference only, no state change worth protecting; GET so it works as a plain link.
  router.get(
    '/sprache/:lang',
    scoped(publicScope, (req, res) => {
      const lang = req.params.lang;
      if (isLanguage(lang)) res.cookie(LANGUAGE_COOKIE, lang, { sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, path: '/' });
      const back = typeof req.query.zurueck === 'string' && /^\/(?![/\\])/.test(req.query.zurueck) ? req.query.zurueck : '/';
      // From the resident portal: one more hop under /portal, where the resident's session
      // cookie is sent, so their mails (document digest, notifications) follow the switch too.
      if (isLanguage(lang) && /^\/portal(?!\/vorschau(\/|\?|$))(\/|\?|$)/.test(back))
        return res.redirect(303, `/portal/sprache/${lang}?zurueck=${encodeURIComponent(back)}`);
      res.redirect(303, back);
    }),
  );

  // The second hop: remembers the language on the logged-in resident (PortalUser.locale).
  router.get(
    '/portal/sprache/:lang',
    scoped(publicScope, async (req, res, { resident }) => {
      const lang = req.params.lang;
      // A GET that writes: only for a click on our own page (the browser says so), never for a
      // link on another site (SameSite=Lax still sends the session cookie there).
      const ownPage = ['same-origin', 'none'].includes(req.get('sec-fetch-site') ?? 'none');
      if (isLanguage(lang) && ownPage && resident && resident.locale !== lang) {
        resident.locale = lang;
        await req.em.flush();
      }
      const back = typeof req.query.zurueck === 'string' && /^\/portal(\/(?![/\\])|\?|$)/.test(req.query.zurueck) ? req.query.zurueck : '/portal';
      res.redirect(303, back);
    }),
  );

  router.get(
    '/healthz',
    scoped(publicScope, async (req, res) => {
      await req.em.execute('select 1');
      res.json({ status: 'ok' });
    }),
  );

  return router;
}
