import { Router, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import { Property, type Unit } from '../../entities/index.ts';
import { fieldMessages } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { listQuery } from '../../http/paging.ts';
import { receiveUploads } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { activeUnitScope, staffScope, unitScope, type StaffScope } from '../../scopes/staff.ts';
import { documentsPanel, uploadedCount, type PanelPlace, type UploadForm } from '../documents/console-service.ts';
import { DOCUMENT_FILES_FIELD, publishUploadedDocuments } from '../documents/upload-service.ts';
import { searchUnits, unitContracts, UNIT_SORT_DEFAULT, UNIT_SORTS } from './service.ts';

/** Console: the Einheiten list across all properties (Stammdaten), mounted at /verwaltung/einheiten (staff). */
export function unitListRoutes() {
  const router = Router();
  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { q, archived, sort, page, params: list } = listQuery(req, UNIT_SORTS, UNIT_SORT_DEFAULT);
      // ?liegenschaft= is the search field "Liegenschaft" (name or address), or the id of one
      // property (links from elsewhere). Either way only the Verwaltung's own properties match
      // (the query names the Verwaltung: scopedOrganization).
      const liegenschaft = typeof req.query.liegenschaft === 'string' ? req.query.liegenschaft.trim().slice(0, 200) : '';
      const propertyId = isUuid(liegenschaft) ? liegenschaft : null;
      const propertyTerm = propertyId ? '' : liegenschaft;
      const result = await searchUnits(req.em, { q, page, sort, propertyId, propertyTerm, archived });
      const params = { q, liegenschaft, archivierte: list.archivierte, sortierung: list.sortierung };
      if (req.get('hx-target') === 'unit-results') return render(req, res, 'units/_results', { q, sort, params, ...result });
      // The field shows the name of a property chosen by id.
      const chosen = propertyId ? await req.em.findOne(Property, propertyId, { fields: ['id', 'name'] }) : null;
      const propertySearch = chosen?.name ?? propertyTerm;
      render(req, res, 'units/index', { title: req.t('properties-edit:units.title'), q, sort, archived, propertySearch, params, ...result });
    }),
  );
  return router;
}

type UnitPageScope = StaffScope & { property: Property; unit: Unit };

/**
 * The unit page (views/units/show.eta): facts, contracts and contacts, and the Dokumente
 * panel (src/features/documents/console-service.ts); after a refused upload with its form and messages (422).
 */
async function unitPage(
  req: Request,
  res: Response,
  { organizationId, property, unit }: UnitPageScope,
  refused: { form: UploadForm; errors: Record<string, string> } | null = null,
  status = 200,
) {
  const today = berlinDate(req.deps.clock.now());
  const place: PanelPlace = { kind: 'unit', property, unit };
  const docs = refused
    ? await documentsPanel(req.em, organizationId, place, refused.form, refused.errors)
    : await documentsPanel(req.em, organizationId, place, undefined, {}, uploadedCount(req.query.hochgeladen));
  render(
    req,
    res,
    'units/show',
    { title: `${unit.number} · ${property.name}`, property, unit, ...(await unitContracts(req.em, unit, today)), today, docs },
    status,
  );
}

/**
 * Console: the unit page, /verwaltung/liegenschaften/:propertyId/einheiten/:unitId (staff),
 * mounted after the property routes (src/features/properties/edit-routes.ts takes
 * ".../einheiten/neu" first). An archived unit keeps its page (marked, with
 * "Wiederherstellen"), but takes no more documents.
 */
export function unitPageRoutes() {
  const router = Router();
  router.get(
    '/:propertyId/einheiten/:unitId',
    scoped(unitScope, (req, res, scope) => unitPage(req, res, scope)),
  );

  // "Dokument hochladen" (Einheitsmenü > Dokumente, seed 003 case 2): a unit in use only.
  router.post(
    '/:propertyId/einheiten/:unitId/dokumente',
    scoped(activeUnitScope, async (req, res, scope) => {
      const { staff, property, unit } = scope;
      const received = await receiveUploads(req, res, req.storage, DOCUMENT_FILES_FIELD);
      const outcome = await publishUploadedDocuments(
        req.em,
        req.storage,
        staff,
        { kind: 'unit', property, unit },
        { ...received, body: req.body },
        req.deps.clock.now(),
      );
      if ('errors' in outcome) return unitPage(req, res, scope, { form: outcome.form, errors: fieldMessages(req.t, outcome.errors) }, 422);
      res.redirect(303, `/verwaltung/liegenschaften/${property.id}/einheiten/${unit.id}?hochgeladen=${outcome.published}`);
    }),
  );
  return router;
}
