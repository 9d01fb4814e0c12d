import { Router } from 'express';
import { isLanguage, LANGUAGE_COOKIE } from '../../http/i18n.ts';
import { render } from '../../http/views.ts';

/** The public front door, the language switch and the health check. */
export function homeRoutes() {
  const router = Router();

  router.get('/', (req, res) => render(req, res, 'home/index', { title: 'Hausportal' }));

  // A preference only, no state change worth protecting; GET so it works as a plain link.
  router.get('/sprache/:lang', (req, res) => {
    const lang = req.params.lang;
    if (isLanguage(lang)) res.cookie(LANGUAGE_COOKIE, lang, { sameSite: 'lax', maxAge: 365 * 24 * 3600 * 1000, path: '/' });
    const back = typeof req.query.zurueck === 'string' && /^\/(?![/\\])/.test(req.query.zurueck) ? req.query.zurueck : '/';
    res.redirect(303, back);
  });

  router.get('/healthz', async (req, res) => {
    await req.em.execute('select 1');
    res.json({ status: 'ok' });
  });

  return router;
}
