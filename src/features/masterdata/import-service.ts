import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { TFunction } from 'i18next';
import type { Em } from '../../db/orm.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { MasterDataImport, MasterDataImportRow, ROW_OUTCOMES, StaffUser, type RowOutcome } from '../../entities/index.ts';
import { pageCount, PAGE_SIZE } from '../../http/paging.ts';
import type { Upload } from '../../http/upload.ts';
import type { FileStorage } from '../../storage/files.ts';
import { auditStaffAction } from '../audit/service.ts';
import { csvChunks, inspectCsv, mapColumns, type ByteSource, type CsvFormat, type CsvRow, fileSource } from './csv.ts';
import { kindNamed, type MasterDataKind, type Problem } from './kinds/index.ts';
import { problemSentence } from './problems.ts';
import { collectBatchGarbage, upsertItems, type ItemResult } from './sync.ts';

// The CSV import of master data (Stammdaten › CSV-Import): upload → a dry run whose verdict
// per row is stored (MasterDataImportRow) and shown as the preview → confirm, which reads the
// stored file again and writes it through the same upsert in ONE transaction, or discard.

export type ImportCounts = Record<RowOutcome, number>;

const CHUNK = 1000;

type Actor = Pick<StaffUser, 'id'> & { organization: { id: string; defaultContactPreferenceOnline: boolean } };

const zero = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, refused: 0 });

/**
 * Reads the uploaded file, refuses it as a whole (CsvFileError) when it is no CSV file of
 * this kind, else keeps it in storage, runs the dry run and records import and rows. The
 * temp file is gone afterwards either way.
 */
export async function createImport(em: Em, storage: FileStorage, staff: Actor, kind: MasterDataKind, upload: Upload, now: Date): Promise<string> {
  const format = await inspectCsv(fileSource(upload.tempPath));
  const columns = mapColumns(kind, format.header);
  const id = randomUUID();
  const key = await storage.put(upload.tempPath);
  try {
    await em.transactional(async (tx) => {
      await tx.insert(MasterDataImport, {
        id,
        organization: staff.organization.id,
        createdBy: staff.id,
        kind: kind.name,
        fileName: upload.fileName,
        storageKey: key,
        encoding: format.encoding,
        delimiter: format.delimiter,
        status: 'previewed',
        createdAt: now,
        importedAt: null,
      } as never);
      await writePreview(tx as Em, id, kind, () => storage.open(key), format, columns, staff, now);
    });
  } catch (error) {
    await storage.remove(key);
    throw error;
  }
  return id;
}

/** Runs the dry run over the file and stores its rows and counts (replacing an older preview). */
async function writePreview(
  tx: Em,
  importId: string,
  kind: MasterDataKind,
  source: ByteSource,
  format: CsvFormat,
  columns: ReturnType<typeof mapColumns>,
  staff: Actor,
  now: Date,
) {
  await tx.nativeDelete(MasterDataImportRow, { import: importId });
  const counts = zero();
  const seen = new Map<string, number>();
  for await (const chunk of csvChunks(source, format, columns, CHUNK)) {
    const results = await upsertChunk(tx, kind, chunk, { dryRun: true, seen, staff, now });
    for (const result of results) counts[result.outcome]++;
    await tx.insertMany(
      MasterDataImportRow,
      results.map((result) => ({
        import: importId,
        row: result.position,
        organization: staff.organization.id,
        outcome: result.outcome,
        externalId: result.externalId,
        label: (result.label || result.externalId || '').slice(0, 300),
        details: result.outcome === 'updated' ? result.changes!.map((field) => ({ field })) : result.outcome === 'refused' ? (result.problems ?? []) : null,
      })) as never,
    );
    tx.clear();
    collectBatchGarbage();
  }
  await tx.nativeUpdate(MasterDataImport, { id: importId }, { ...counts, rowCount: counts.created + counts.updated + counts.unchanged + counts.refused });
  return counts;
}

/**
 * One chunk of rows through upsertItems: the rows refused while reading (encoding, cell
 * count) keep their problems, the others go to the upsert; the results come in row order.
 */
async function upsertChunk(
  tx: Em,
  kind: MasterDataKind,
  rows: CsvRow[],
  options: { dryRun: boolean; seen: Map<string, number>; staff: Actor; now: Date },
): Promise<ItemResult[]> {
  // An empty cell (null) clears an optional field; where the record cannot be without a value
  // (Art of a Liegenschaft, Typ of a contact, ...) the engine reads it as "as stored" (FieldSpec.notNull).
  const readable = rows.filter((row) => row.item);
  const results = await upsertItems(
    tx,
    kind,
    readable.map((row) => row.item),
    {
      source: 'csv',
      now: options.now,
      organization: options.staff.organization,
      dryRun: options.dryRun,
      seen: options.seen,
      positions: readable.map((row) => row.position),
    },
  );
  // A row the schema refuses has no label from the upsert: name it by its cells all the same.
  for (const [index, result] of results.entries()) if (!result.label) result.label = rawLabel(kind, readable[index].item!);
  const byPosition = new Map<number, ItemResult>();
  for (const row of rows.filter((r) => !r.item))
    byPosition.set(row.position, { position: row.position, externalId: row.externalId, outcome: 'refused', label: '', problems: row.problems });
  for (const result of results) {
    const earlier = byPosition.get(result.position);
    // Two problems on one line (broken quotes over several lines): one row, all its problems.
    byPosition.set(result.position, earlier ? { ...earlier, problems: [...(earlier.problems ?? []), ...(result.problems ?? [])] } : result);
  }
  return [...byPosition.values()].sort((a, b) => a.position - b.position);
}

function rawLabel(kind: MasterDataKind, item: Record<string, unknown>): string {
  try {
    return kind.label(Object.fromEntries(kind.fields.filter((f) => !f.ref).map((f) => [f.property, item[f.name]])));
  } catch {
    return '';
  }
}

/** The file and its columns again, as read at upload (the stored file does not change). */
async function storedFormat(storage: FileStorage, imp: MasterDataImport, kind: MasterDataKind) {
  const source = () => storage.open(imp.storageKey);
  const format = await inspectCsv(source);
  return { source, format, columns: mapColumns(kind, format.header) };
}

class PreviewOutdated extends Error {}
class ImportClosed extends Error {}

export type ConfirmOutcome = 'imported' | 'changed' | 'closed';

/**
 * Writes the file for real, all rows in ONE transaction (flushed and cleared per chunk). When
 * the outcome differs from the preview (someone changed the data meanwhile), nothing is kept
 * and the preview is computed again for the user to look at. An import that is no longer a
 * preview (confirmed or discarded, also by a second click) is left alone.
 */
export async function confirmImport(em: Em, storage: FileStorage, staff: Actor, imp: MasterDataImport, now: Date): Promise<ConfirmOutcome> {
  if (imp.status !== 'previewed') return 'closed';
  const kind = kindNamed(imp.kind)!;
  const preview: ImportCounts = { created: imp.created, updated: imp.updated, unchanged: imp.unchanged, refused: imp.refused };
  const { source, format, columns } = await storedFormat(storage, imp, kind);
  try {
    await em.fork().transactional(async (tx) => {
      // Two confirmations at once: the second waits here and then finds the import closed.
      const locked = await tx.findOne(MasterDataImport, { id: imp.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (locked?.status !== 'previewed') throw new ImportClosed();
      const counts = zero();
      const seen = new Map<string, number>();
      for await (const chunk of csvChunks(source, format, columns, CHUNK)) {
        const results = await upsertChunk(tx as Em, kind, chunk, { dryRun: false, seen, staff, now });
        for (const result of results) counts[result.outcome]++;
        // Row by row, not only the totals: one row turning "updated" while another turns
        // "unchanged" keeps the counts but is not what the user confirmed.
        if (!(await sameAsPreview(tx as Em, imp.id, results))) throw new PreviewOutdated();
        await tx.flush();
        tx.clear();
        collectBatchGarbage();
      }
      if (ROW_OUTCOMES.some((outcome) => counts[outcome] !== preview[outcome])) throw new PreviewOutdated();
      await tx.nativeUpdate(MasterDataImport, { id: imp.id }, { status: 'imported', importedAt: now });
      const actor = await tx.findOneOrFail(StaffUser, { id: staff.id });
      auditStaffAction(
        tx as Em,
        actor,
        'masterdata.imported',
        { type: 'MasterDataImport', id: imp.id },
        { kind: kind.name, fileName: imp.fileName, ...counts },
        now,
      );
    });
  } catch (error) {
    if (error instanceof ImportClosed) return 'closed';
    if (!(error instanceof PreviewOutdated)) throw error;
    await em.fork().transactional((tx) => writePreview(tx as Em, imp.id, kind, source, format, columns, staff, now));
    return 'changed';
  }
  await storage.remove(imp.storageKey);
  return 'imported';
}

/** Whether a chunk's outcomes are those its rows had in the stored preview (one query per chunk). */
async function sameAsPreview(em: Em, importId: string, results: ItemResult[]): Promise<boolean> {
  if (results.length === 0) return true;
  const stored = await em.find(
    MasterDataImportRow,
    { import: importId, row: { $in: results.map((result) => result.position) } },
    { fields: ['row', 'outcome'] },
  );
  const outcomeOf = new Map(stored.map((row) => [row.row, row.outcome]));
  return results.every((result) => outcomeOf.get(result.position) === result.outcome);
}

/** How long an import may wait for its confirmation before its file and preview are removed. */
export const PREVIEW_KEPT_DAYS = 7;

/**
 * Discards previews nobody confirmed within PREVIEW_KEPT_DAYS: the uploaded file holds names
 * and addresses and should not stay in storage for ever (the 'session-cleanup' job). Runs
 * across Verwaltungen, as jobs do.
 */
export async function discardStalePreviews(em: Em, storage: FileStorage, now: Date): Promise<number> {
  const before = new Date(now.getTime() - PREVIEW_KEPT_DAYS * 24 * 60 * 60 * 1000);
  const stale = await em.find(MasterDataImport, { status: 'previewed', createdAt: { $lt: before } }, { filters: { tenant: false } });
  let discarded = 0;
  for (const imp of stale) {
    const scoped = em.fork();
    scopeToOrganization(scoped, imp.organization.id);
    if (await discardImport(scoped, storage, imp)) discarded++;
  }
  return discarded;
}

/** Discards a previewed import: its file and rows go, the import stays in the history as discarded. */
export async function discardImport(em: Em, storage: FileStorage, imp: MasterDataImport): Promise<boolean> {
  if (imp.status !== 'previewed') return false;
  const changed = await em.nativeUpdate(MasterDataImport, { id: imp.id, status: 'previewed' }, { status: 'discarded' });
  if (!changed) return false;
  await em.nativeDelete(MasterDataImportRow, { import: imp.id });
  await storage.remove(imp.storageKey);
  return true;
}

/** One page of the preview's rows with one outcome, in row order (50 a page, as every list). */
export async function previewRows(em: Em, imp: MasterDataImport, outcome: RowOutcome, page: number) {
  const total = imp[outcome];
  const rows = await em.find(MasterDataImportRow, { import: imp.id, outcome }, { orderBy: { row: 'asc' }, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  return { rows, total, page, pages: pageCount(total) };
}

/** The outcome shown first: the refused rows if there are any, else the first outcome with rows. */
export function defaultOutcome(imp: MasterDataImport): RowOutcome {
  if (imp.refused > 0) return 'refused';
  return ROW_OUTCOMES.find((outcome) => imp[outcome] > 0) ?? 'created';
}

/** The last imports of the Verwaltung, newest first (the history on the upload page). */
export function recentImports(em: Em, limit = 20) {
  return em.find(MasterDataImport, {}, { orderBy: { createdAt: 'desc', id: 'desc' }, limit, populate: ['createdBy'] });
}

/** A stored row's reasons (refused) or changed columns (updated), as German sentences / column names. */
export function rowDetails(t: TFunction, kind: MasterDataKind, row: Pick<MasterDataImportRow, 'outcome' | 'details'>): string[] {
  const details = row.details ?? [];
  if (row.outcome === 'updated')
    return details.map((d) =>
      d.field === 'archived' ? String(t('masterdata-import:preview.restored')) : (kind.fields.find((f) => f.name === d.field)?.column ?? String(d.field)),
    );
  if (row.outcome !== 'refused') return [];
  return details.map((problem) =>
    problem.code?.startsWith('csv_')
      ? String(t(`masterdata-import:rowProblems.${problem.code}`, problem.params ?? {}))
      : problemSentence(t, kind, problem as Problem, 'csv'),
  );
}
