import { Router } from 'express';
import { field } from '../../http/forms.ts';
import { scoped } from '../../scopes/scope.ts';
import { masterDataRecordScope } from '../../scopes/staff.ts';
import { releaseFromErp } from './ownership.ts';

/** A local console path to go back to; anything else (another host, a protocol) is ignored. */
function consolePath(value: string): string {
  return /^\/verwaltung\/[^/\\]/.test(value) && !value.includes('//') ? value : '/verwaltung/liegenschaften';
}

/** Administration only: "Vom ERP lösen" for any master-data record (src/features/masterdata/ownership.ts). */
export function ownershipRoutes() {
  const router = Router();
  router.post(
    '/:kind/:recordId/vom-erp-loesen',
    scoped(masterDataRecordScope, async (req, res, { staff, kind, record }) => {
      releaseFromErp(req.em, staff, kind, record, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, consolePath(field(req.body.zurueck)));
    }),
  );
  return router;
}
