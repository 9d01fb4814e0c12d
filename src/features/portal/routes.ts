import { Router, type NextFunction, type Request, type Response } from 'express';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { accessibleProperties, propertyAccess } from '../access/service.ts';
import { describeWhen } from '../appointments/service.ts';
import { portalStartPage } from './service.ts';

/**
 * Loads the property of the URL through the access module; anything else is a 404. Every
 * portal route with :propertyId uses it (the preview sets its own access, see
 * src/features/preview).
 */
export async function loadPortalProperty(req: Request, res: Response, next: NextFunction) {
  if (res.locals.preview) {
    if (res.locals.preview.propertyId !== req.params.propertyId) return next(new NotFoundError('preview of another property'));
    return next();
  }
  const access = await propertyAccess(req.em, req.portalUser!, String(req.params.propertyId), req.deps.clock.now());
  if (!access) return next(new NotFoundError(`portal user ${req.portalUser!.id} has no access to ${req.params.propertyId}`));
  res.locals.access = access;
  res.locals.property = access.property;
  next();
}

/**
 * Content shared with the whole property (Mitteilungen, Termine, Schwarzes Brett; general
 * documents later) reaches only users with a running contract or a membership there. A user
 * whose access comes only from a contract inside an access window (before it starts, after
 * it ends: Rollen & Zugriffsrechte, seed 002) sees only what was shared with them personally,
 * through `access.contactIds`. The preview and Bewohner see general content
 * (src/features/access/service.ts). FAQ and Ansprechpartner are not gated: they are the
 * Verwaltung's service information, not content shared with the property.
 *
 * This is the one place that applies the rule to pages: `requireGeneralContent` guards
 * details, attachments and downloads (404, as if the item did not exist);
 * `generalContentOrNote` answers a list page with an explanation instead of its items; the
 * start page asks `seesGeneralContent`. Runs after loadPortalProperty.
 */
export function seesGeneralContent(res: Response): boolean {
  return res.locals.access?.seesGeneralContent === true;
}

export function requireGeneralContent(_req: Request, res: Response, next: NextFunction) {
  if (seesGeneralContent(res)) return next();
  next(new NotFoundError('general content outside an active contract'));
}

/** For the list page of a section (`portal:nav.<section>`): the list, or the note. */
export function generalContentOrNote(section: 'announcements' | 'appointments' | 'bulletin') {
  return (req: Request, res: Response, next: NextFunction) => {
    if (seesGeneralContent(res)) return next();
    render(req, res, 'portal/personal-only', { title: req.t(`portal:nav.${section}`), section });
  };
}

/** The resident portal: object selection and the start page of one property. */
export function portalRoutes() {
  const router = Router();

  router.get('/', async (req, res) => {
    // The preview shows one property: there is nothing to choose.
    if (res.locals.preview) return res.redirect(303, `${res.locals.portalBase}/liegenschaften/${res.locals.preview.propertyId}`);
    const properties = await accessibleProperties(req.em, req.portalUser!, req.deps.clock.now());
    if (properties.length === 1) return res.redirect(303, `/portal/liegenschaften/${properties[0].property.id}`);
    render(req, res, 'portal/select', { title: req.t('portal:select.title'), properties });
  });

  router.get('/liegenschaften/:propertyId', loadPortalProperty, async (req, res) => {
    const now = req.deps.clock.now();
    const start = await portalStartPage(req.em, res.locals.property, res.locals.preview ? null : req.portalUser!, now, seesGeneralContent(res));
    const appointments = start.appointments.map((appointment) => ({ appointment, when: describeWhen(appointment, req.lang) }));
    render(req, res, 'portal/start', { title: res.locals.property.name, section: 'start', ...start, appointments, generalContent: seesGeneralContent(res) });
  });

  return router;
}
