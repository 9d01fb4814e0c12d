import { Router, type NextFunction, type Request, type Response } from 'express';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { accessibleProperties, propertyAccess } from '../access/service.ts';
import { describeWhen } from '../appointments/service.ts';
import { mayInviteNeighbours } from '../registration/service.ts';
import { portalStartPage } from './service.ts';

/**
 * Loads the property of the URL through the access module (src/features/access); anything
 * else is a 404. Every portal route with :propertyId starts with one of the three loaders
 * below, which differ only in what a user sees whose access comes from a contract inside an
 * access window alone (before it starts, after it ends: Rollen & Zugriffsrechte, seed 002).
 * Such a user sees only what was shared with them personally (`access.contactIds`), never
 * content shared with the whole property — Mitteilungen, Termine, Schwarzes Brett, general
 * documents. The preview and Bewohner see general content (`seesGeneralContent`).
 *
 * - `loadPortalProperty`: for general content (details, attachments, downloads). Safe by
 *   default: the window-only user gets a 404, as if the item did not exist.
 * - `loadPortalPropertyForList(section)`: a section's list page; the window-only user gets
 *   an explanation instead of the items.
 * - `loadPortalPropertyForAnyAccess`: pages for everyone with access — the start page
 *   (which asks `seesGeneralContent` itself), FAQ and Ansprechpartner (the Verwaltung's
 *   service information, not content shared with the property), personal content.
 */
async function loadAccess(req: Request, res: Response): Promise<void> {
  if (res.locals.preview) {
    if (res.locals.preview.propertyId !== req.params.propertyId) throw new NotFoundError('preview of another property');
    return;
  }
  const access = await propertyAccess(req.em, req.portalUser!, String(req.params.propertyId), req.deps.clock.now());
  if (!access) throw new NotFoundError(`portal user ${req.portalUser!.id} has no access to ${req.params.propertyId}`);
  res.locals.access = access;
  res.locals.property = access.property;
}

export function seesGeneralContent(res: Response): boolean {
  return res.locals.access?.seesGeneralContent === true;
}

export async function loadPortalProperty(req: Request, res: Response, next: NextFunction) {
  await loadAccess(req, res);
  if (!seesGeneralContent(res)) return next(new NotFoundError('general content outside an active contract'));
  next();
}

export function loadPortalPropertyForList(section: 'announcements' | 'appointments' | 'bulletin') {
  return async (req: Request, res: Response, next: NextFunction) => {
    await loadAccess(req, res);
    if (seesGeneralContent(res)) return next();
    render(req, res, 'portal/personal-only', { title: req.t(`portal:nav.${section}`), section });
  };
}

export async function loadPortalPropertyForAnyAccess(req: Request, res: Response, next: NextFunction) {
  await loadAccess(req, res);
  next();
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

  router.get('/liegenschaften/:propertyId', loadPortalPropertyForAnyAccess, async (req, res) => {
    const now = req.deps.clock.now();
    const start = await portalStartPage(req.em, res.locals.property, res.locals.access.contactIds, now, seesGeneralContent(res));
    const appointments = start.appointments.map((appointment) => ({ appointment, when: describeWhen(appointment, req.lang) }));
    const neighbourInvites = !res.locals.preview && mayInviteNeighbours(req.portalUser!.organization, res.locals.access);
    render(req, res, 'portal/start', { title: res.locals.property.name, section: 'start', ...start, appointments, generalContent: seesGeneralContent(res), mayInviteNeighbours: neighbourInvites });
  });

  return router;
}
