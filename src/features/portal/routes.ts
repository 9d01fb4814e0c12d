import { Router } from 'express';
import { render } from '../../http/views.ts';
import { portalPropertyScope, portalScope } from '../../scopes/portal.ts';
import { scoped } from '../../scopes/scope.ts';
import { accessibleProperties } from '../access/service.ts';
import { describeWhen } from '../appointments/service.ts';
import { providerOfUser, providerOnly } from '../orders/access.ts';
import { mayInviteNeighbours } from '../registration/service.ts';
import { portalStartPage } from './service.ts';

/** The resident portal: object selection and the start page of one property. */
export function portalRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(portalScope, async (req, res, { user, base }) => {
      // The preview shows one property: there is nothing to choose.
      if (!user) return res.redirect(303, `${base}/liegenschaften/${req.preview?.property.id}`);
      // A Dienstleister's login works on its Aufträge (src/features/orders/access.ts).
      const properties = (await accessibleProperties(req.em, user, req.deps.clock.now())).filter((access) => !providerOnly(access));
      if (properties.length === 0 && (await providerOfUser(req.em, user))) return res.redirect(303, '/portal/auftraege');
      if (properties.length === 1) return res.redirect(303, `/portal/liegenschaften/${properties[0].property.id}`);
      render(req, res, 'portal/select', { title: req.t('portal:select.title'), properties });
    }),
  );

  // Everyone with access: a user inside an access window only sees what was shared with them
  // personally (the start page asks `seesGeneralContent` itself).
  router.get(
    '/liegenschaften/:propertyId',
    scoped(portalPropertyScope, async (req, res, { user, property, access }) => {
      const now = req.deps.clock.now();
      const start = await portalStartPage(req.em, property, access.contactIds, now, access.seesGeneralContent);
      const appointments = start.appointments.map((appointment) => ({ appointment, when: describeWhen(appointment, req.lang) }));
      const neighbourInvites = user !== null && mayInviteNeighbours(user.organization, access);
      render(req, res, 'portal/start', {
        title: property.name,
        section: 'start',
        ...start,
        appointments,
        generalContent: access.seesGeneralContent,
        mayInviteNeighbours: neighbourInvites,
      });
    }),
  );

  return router;
}
