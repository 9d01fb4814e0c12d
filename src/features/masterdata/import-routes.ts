import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { ROW_OUTCOMES, type MasterDataImport, type RowOutcome } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { pageNumber } from '../../http/paging.ts';
import { discard, receiveUploads, type AcceptedTypes } from '../../http/upload.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope, masterDataImportScope } from '../../scopes/staff.ts';
import { CsvFileError, looksLikeText, templateHeader } from './csv.ts';
import { confirmImport, createImport, defaultOutcome, discardImport, previewRows, recentImports, rowDetails } from './import-service.ts';
import { KINDS, kindNamed, type MasterDataKind } from './kinds/index.ts';

// Stammdaten › CSV-Import (admin, /verwaltung/stammdaten/import; mounted in src/app.ts).

const FILE_FIELD = 'datei';

/** CSV is text, which file-type cannot recognise: the upload only refuses what is surely no text (src/features/masterdata/csv.ts reads the rest). */
const CSV_UPLOADS: AcceptedTypes = {
  types: new Map([['csv', 'text/csv']]),
  wrongType: 'masterdata-import:file.notCsv',
  detect: async (filePath) => ((await looksLikeText(filePath)) ? { ext: 'csv', mimeType: 'text/csv' } : null),
};

/** Notices of the import page after an action (?hinweis=…). */
const NOTICES = ['importiert', 'geaendert', 'verworfen'] as const;

async function uploadPage(req: Request, res: Response, form: { art: string }, errors: Record<string, FieldMessage> = {}, status = 200) {
  const imports = await recentImports(req.em);
  render(
    req,
    res,
    'masterdata/import-upload',
    { title: req.t('masterdata-import:upload.title'), kinds: KINDS, form, errors: fieldMessages(req.t, errors), imports },
    status,
  );
}

async function previewPage(req: Request, res: Response, imp: MasterDataImport, status = 200, notice: string | null = null) {
  const kind = kindNamed(imp.kind)!;
  const requested = ROW_OUTCOMES.find((o) => o === req.query.ergebnis);
  const outcome: RowOutcome = requested ?? defaultOutcome(imp);
  const result = await previewRows(req.em, imp, outcome, pageNumber(req.query.seite));
  const rows = result.rows.map((row) => ({
    row: row.row,
    externalId: row.externalId,
    label: row.label,
    outcome: row.outcome,
    details: rowDetails(req.t, kind, row),
  }));
  const view = req.get('hx-target') === 'import-rows' ? 'masterdata/_import-rows' : 'masterdata/import-preview';
  render(
    req,
    res,
    view,
    {
      title: req.t('masterdata-import:preview.title', { file: imp.fileName }),
      imp,
      kindLabel: req.t(`masterdata:kinds.${kind.name}`),
      outcome,
      ...result,
      rows,
      notice: notice ?? NOTICES.find((n) => n === req.query.hinweis) ?? null,
      baseUrl: `/verwaltung/stammdaten/import/${imp.id}`,
    },
    status,
  );
}

/** Administration only: the CSV import of master data (src/features/masterdata/import-service.ts). */
export function importRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(adminScope, async (req, res) => {
      await uploadPage(req, res, { art: kindNamed(field(req.query.art))?.name ?? '' });
    }),
  );

  router.post(
    '/',
    scoped(adminScope, async (req, res, { staff }) => {
      const received = await receiveUploads(req, res, req.storage, FILE_FIELD, CSV_UPLOADS);
      const kind: MasterDataKind | undefined = kindNamed(field(req.body.art));
      const form = { art: kind?.name ?? '' };
      const errors: Record<string, FieldMessage> = {};
      if (!kind) errors.art = 'masterdata-import:upload.chooseKind';
      if (received.error) errors.datei = received.error;
      else if (received.files.length === 0) errors.datei = 'masterdata-import:upload.chooseFile';
      else if (received.files.length > 1) errors.datei = 'masterdata-import:upload.oneFile';
      if (Object.keys(errors).length) {
        await discard(received.files.map((f) => f.tempPath));
        return uploadPage(req, res, form, errors, 422);
      }
      try {
        const id = await createImport(req.em, req.storage, staff, kind!, received.files[0], req.deps.clock.now());
        res.redirect(303, `/verwaltung/stammdaten/import/${id}`);
      } catch (error) {
        await discard([received.files[0].tempPath]);
        if (!(error instanceof CsvFileError)) throw error;
        return uploadPage(req, res, form, { datei: [`masterdata-import:${error.key}`, error.params] }, 422);
      }
    }),
  );

  router.get(
    '/vorlage/:kind',
    scoped(adminScope, (req, res) => {
      const kind = kindNamed(field(req.params.kind));
      if (!kind) throw new NotFoundError(`unknown master-data kind ${req.params.kind}`);
      const example = [kind.exampleExternalId, ...kind.fields.map((f) => f.example)];
      // Excel opens a UTF-8 file with its umlauts only with the BOM; `;` is its German delimiter.
      const body = stringify([templateHeader(kind), example], { delimiter: ';', bom: true, record_delimiter: 'windows' });
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="vorlage-${kind.name}.csv"`);
      res.send(body);
    }),
  );

  router.get(
    '/:importId',
    scoped(masterDataImportScope, async (req, res, { masterDataImport }) => {
      await previewPage(req, res, masterDataImport);
    }),
  );

  router.post(
    '/:importId/bestaetigen',
    scoped(masterDataImportScope, async (req, res, { staff, masterDataImport: imp }) => {
      const outcome = await confirmImport(req.em, req.storage, staff, imp, req.deps.clock.now());
      if (outcome === 'closed') return previewPage(req, res, (await req.em.refresh(imp, { populate: ['createdBy'] })) ?? imp, 409, 'abgeschlossen');
      res.redirect(303, `/verwaltung/stammdaten/import/${imp.id}?hinweis=${outcome === 'imported' ? 'importiert' : 'geaendert'}`);
    }),
  );

  router.post(
    '/:importId/verwerfen',
    scoped(masterDataImportScope, async (req, res, { masterDataImport: imp }) => {
      if (!(await discardImport(req.em, req.storage, imp))) return previewPage(req, res, imp, 409, 'abgeschlossen');
      res.redirect(303, `/verwaltung/stammdaten/import/${imp.id}?hinweis=verworfen`);
    }),
  );

  return router;
}
