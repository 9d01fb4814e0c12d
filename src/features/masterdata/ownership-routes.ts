import { Router } from 'express';
import { field } from '../../http/forms.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { NotFoundError } from '../../http/errors.ts';
import { kindNamed } from './kinds/index.ts';
import { releaseFromErp, type ErpOwned } from './ownership.ts';

/** A local console path to go back to; anything else (another host, a protocol) is ignored. */
function consolePath(value: string): string {
  return /^\/verwaltung\/[^/\\]/.test(value) && !value.includes('//') ? value : '/verwaltung/liegenschaften';
}

/** Administration only: "Vom ERP lösen" for any master-data record (src/features/masterdata/ownership.ts). */
export function ownershipRoutes() {
  const router = Router();
  router.post('/:kind/:recordId/vom-erp-loesen', async (req, res) => {
    const kind = kindNamed(req.params.kind);
    if (!kind) throw new NotFoundError('unknown master-data kind');
    const record = (await findByIdOr404(req.em, kind.entity, req.params.recordId)) as ErpOwned & { id: string };
    releaseFromErp(req.em, req.staff!, kind, record, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, consolePath(field(req.body.zurueck)));
  });
  return router;
}
