import { randomUUID } from 'node:crypto';
import { Collection } from '@mikro-orm/core';
import { z } from 'zod';
import type { Em } from '../../db/orm.ts';
import { Organization, type RowOutcome } from '../../entities/index.ts';
import { EXTERNAL_ID_MAX, externalIdSchema, type FieldSpec } from './fields.ts';
import { kindNamed, type MasterDataKind, type Problem } from './kinds/index.ts';
import type { EntityValues } from './kinds/kind.ts';

// The one upsert of master data by external id, shared by the sync API (source 'api') and
// the CSV import (source 'csv', also as a dry run for the preview). It validates every item,
// resolves references with one query per referenced kind, compares with what is stored and
// reports per item created / updated / unchanged / refused. It never flushes: the caller
// owns the transaction, so a batch or a whole file lands entirely or not at all.

/** Who sends the items: the ERP through the API (takes ownership) or a CSV file (must not change ERP-owned records). */
export type SyncSource = 'api' | 'csv';

export type ItemResult = {
  /** Index in the batch (API) or row number in the file (CSV). */
  position: number;
  externalId: string | null;
  outcome: RowOutcome;
  id?: string;
  label: string;
  /** JSON names of the fields an update changes ('archived' when it restores the record). */
  changes?: string[];
  problems?: Problem[];
};

export type SyncOptions = {
  source: SyncSource;
  now: Date;
  organization: Pick<Organization, 'id' | 'defaultContactPreferenceOnline'>;
  /** Compute the outcome only (the import preview); change nothing. */
  dryRun?: boolean;
  /** External ids seen earlier in the same file (CSV chunks) → their position. */
  seen?: Map<string, number>;
  /** Position of each item (row numbers of a CSV chunk); default: the index. */
  positions?: number[];
};

type Row = Record<string, unknown> & { id: string; externalId: string | null; archivedAt: Date | null; erpSyncedAt: Date | null };

const schemas = new WeakMap<MasterDataKind, z.ZodType<Record<string, unknown> & { externalId: string }>>();

/** The JSON schema of one item of a kind: externalId plus its fields; unknown keys are refused. */
export function itemSchema(kind: MasterDataKind) {
  let schema = schemas.get(kind);
  if (!schema) {
    const shape: Record<string, z.ZodType> = { externalId: externalIdSchema };
    for (const field of kind.fields)
      shape[field.name] = field.required
        ? field.schema
        : field.notNull
          ? field.schema.nullish().transform((v) => v ?? undefined)
          : field.schema.nullable().optional();
    schema = z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown> & { externalId: string }>;
    schemas.set(kind, schema);
  }
  return schema;
}

/** Zod's issues as our problem codes (masterdata:problems.<code>), one per field. */
export function schemaProblems(error: z.ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : undefined;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ code: 'unknown_field', field: key });
      continue;
    }
    if (problems.some((p) => p.field === field)) continue;
    problems.push({ field, ...problemOf(issue) });
  }
  return problems;
}

function problemOf(issue: z.core.$ZodIssue): Omit<Problem, 'field'> {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return { code: 'required' };
      if (issue.expected === 'number') return { code: 'invalid_number' };
      if (issue.expected === 'object' && issue.path.length === 0) return { code: 'not_an_object' };
      return { code: 'invalid_type', params: { expected: String(issue.expected) } };
    case 'too_small':
      if (issue.origin === 'string') return { code: 'required' };
      if (issue.origin === 'array') return { code: 'required' };
      return { code: 'too_small', params: { min: Number(issue.minimum) } };
    case 'too_big':
      if (issue.origin === 'string') return { code: 'too_long', params: { max: Number(issue.maximum) } };
      if (issue.origin === 'array') return { code: 'too_many', params: { max: Number(issue.maximum) } };
      return { code: 'too_large', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { code: issue.format === 'email' ? 'invalid_email' : issue.format === 'date' ? 'invalid_date' : 'invalid' };
    case 'invalid_value':
      return { code: 'invalid_choice' };
    case 'invalid_union':
      // Only the e-mail fields are unions ('' or an address).
      return { code: 'invalid_email' };
    case 'custom':
      // A field's own rule names its problem code (fields.ts, e.g. countryCode).
      return { code: typeof issue.params?.problem === 'string' ? issue.params.problem : 'invalid' };
    default:
      return { code: 'invalid' };
  }
}

/** Upserts items of one kind by external id (see the module comment). */
export async function upsertItems(em: Em, kind: MasterDataKind, items: unknown[], options: SyncOptions): Promise<ItemResult[]> {
  const positions = options.positions ?? items.map((_, index) => index);
  const seen = options.seen ?? new Map<string, number>();
  const parsed = items.map((item, index) => {
    // reportInput: problemOf tells a missing value (required) from a wrong one by the input.
    const result = itemSchema(kind).safeParse(item, { reportInput: true });
    if (!result.success) return { position: positions[index], externalId: rawExternalId(item), problems: schemaProblems(result.error) };
    const first = seen.get(result.data.externalId);
    if (first !== undefined)
      return {
        position: positions[index],
        externalId: result.data.externalId,
        problems: [{ code: 'duplicate_external_id', field: 'externalId', params: { first } }],
      };
    seen.set(result.data.externalId, positions[index]);
    return { position: positions[index], externalId: result.data.externalId, data: result.data };
  });
  const valid = parsed.flatMap((item) => (item.data ? [item.data] : []));
  const existing = await findByExternalIds<Row>(
    em,
    kind.entity,
    valid.map((item) => item.externalId),
    kind.populate,
  );
  const refs = await resolveReferences(em, kind, valid);
  const context = await kind.context?.(em, refs);

  return parsed.map((item) => {
    if (!item.data) return { position: item.position, externalId: item.externalId, outcome: 'refused', label: '', problems: item.problems };
    return upsertOne(em, kind, item.position, item.data, existing.get(item.data.externalId), refs, context, options);
  });
}

function rawExternalId(item: unknown): string | null {
  const value = (item as { externalId?: unknown } | null)?.externalId;
  return typeof value === 'string' ? value.slice(0, EXTERNAL_ID_MAX) : null;
}

async function findByExternalIds<T extends { externalId: string | null }>(
  em: Em,
  entity: MasterDataKind['entity'],
  externalIds: string[],
  populate?: string[],
) {
  if (externalIds.length === 0) return new Map<string, T>();
  const rows = (await em.find(entity, { externalId: { $in: [...new Set(externalIds)] } } as never, { populate: populate as never })) as unknown as T[];
  return new Map(rows.map((row) => [row.externalId!, row]));
}

/** The referenced records of every ref field, by external id: one query per field. */
async function resolveReferences(em: Em, kind: MasterDataKind, items: Array<Record<string, unknown>>) {
  const refs = new Map<string, Map<string, Row>>();
  for (const field of kind.fields.filter((f) => f.ref)) {
    const ids = items.flatMap((item) => (item[field.name] == null ? [] : field.many ? (item[field.name] as string[]) : [item[field.name] as string]));
    refs.set(field.name, await findByExternalIds<Row>(em, kindNamed(field.ref!)!.entity, ids));
  }
  return refs;
}

function upsertOne(
  em: Em,
  kind: MasterDataKind,
  position: number,
  data: Record<string, unknown> & { externalId: string },
  existing: Row | undefined,
  refs: Map<string, Map<string, Row>>,
  context: unknown,
  options: SyncOptions,
): ItemResult {
  const problems: Problem[] = [];
  const values: EntityValues = {};
  for (const field of kind.fields) {
    const value = data[field.name];
    if (value === undefined) continue; // absent: keep what is stored
    values[field.property] = field.ref && value !== null ? resolve(field, value, refs.get(field.name)!, problems) : value;
  }
  const merged = existing ? { ...storedValues(kind, existing), ...values } : values;
  const label = kind.label(labelValues(kind, data, merged)) || data.externalId;
  problems.push(...(kind.check?.(merged, context, data.externalId) ?? []));
  const refused = (list: Problem[]): ItemResult => ({ position, externalId: data.externalId, outcome: 'refused', id: existing?.id, label, problems: list });
  if (problems.length) return refused(problems);

  if (!existing) {
    const id = randomUUID();
    if (!options.dryRun) {
      em.create(kind.entity, {
        id,
        organization: em.getReference(Organization, options.organization.id),
        externalId: data.externalId,
        ...kind.defaults?.(options.organization),
        ...values,
        erpSyncedAt: options.source === 'api' ? options.now : null,
      } as never);
    }
    return { position, externalId: data.externalId, outcome: 'created', id, label };
  }

  const changes = kind.fields.filter((field) => field.property in values && !sameValue(existing[field.property], values[field.property])).map((f) => f.name);
  if (existing.archivedAt) changes.push('archived');
  // The CSV import must not overwrite what the ERP keeps (it would be overwritten back).
  if (options.source === 'csv' && existing.erpSyncedAt && changes.length) return refused([{ code: 'erp_owned' }]);
  if (!options.dryRun) {
    assignValues(
      existing,
      values,
      kind.fields.filter((f) => changes.includes(f.name)).map((f) => f.property),
    );
    if (existing.archivedAt) existing.archivedAt = null;
    // The ERP takes ownership of a record it sends, also one that was kept in the console.
    if (options.source === 'api' && (changes.length || !existing.erpSyncedAt)) existing.erpSyncedAt = options.now;
  }
  return {
    position,
    externalId: data.externalId,
    outcome: changes.length ? 'updated' : 'unchanged',
    id: existing.id,
    label,
    ...(changes.length && { changes }),
  };
}

/** The record an external id names, or a problem: unknown, or archived (deleted in the ERP). */
function resolve(field: FieldSpec, value: unknown, found: Map<string, Row>, problems: Problem[]) {
  const ids = field.many ? (value as string[]) : [value as string];
  const rows = ids.map((externalId) => {
    const row = found.get(externalId);
    if (!row) problems.push({ code: 'unknown_reference', field: field.name, params: { id: externalId } });
    else if (row.archivedAt) problems.push({ code: 'archived_reference', field: field.name, params: { id: externalId } });
    return row;
  });
  return field.many ? [...new Set(rows)] : rows[0];
}

/** A stored record's values of the kind's fields (to check rules against a partial update). */
function storedValues(kind: MasterDataKind, row: Row): EntityValues {
  return Object.fromEntries(kind.fields.map((field) => [field.property, row[field.property]]));
}

/** Values for the row's label: plain fields by their JSON name as well as by their property. */
function labelValues(kind: MasterDataKind, data: Record<string, unknown>, merged: EntityValues): EntityValues {
  return { ...merged, ...Object.fromEntries(kind.fields.filter((f) => !f.ref && data[f.name] !== undefined).map((f) => [f.property, data[f.name]])) };
}

/**
 * Whether a stored value equals a new one: numbers as numbers, records by id, lists as sets.
 * Also what the console's updateRecord (./console-edit.ts) counts as a change.
 */
export function sameValue(stored: unknown, value: unknown): boolean {
  if (stored instanceof Collection) {
    const ids = (list: Array<{ id: string }>) =>
      list
        .map((item) => item.id)
        .sort()
        .join(',');
    return ids(stored.getItems() as Array<{ id: string }>) === ids(value as Array<{ id: string }>);
  }
  if (stored && typeof stored === 'object' && 'id' in stored) return (value as { id?: string } | null)?.id === (stored as { id: string }).id;
  if (stored == null || value == null) return stored == null && value == null;
  if (typeof value === 'number') return Number(stored) === value;
  return stored === value;
}

/** Writes new values onto a stored record, property by property: a list of records replaces a collection's items. */
export function assignValues(record: Record<string, unknown>, values: Record<string, unknown>, properties: string[]) {
  for (const property of properties) {
    const current = record[property];
    if (current instanceof Collection) current.set(values[property] as object[]);
    else record[property] = values[property];
  }
}

/** What archiving one external id did: archived, already archived (unchanged), or unknown (not_found). */
export const ARCHIVE_OUTCOMES = ['archived', 'unchanged', 'not_found'] as const;

/** Archives records by external id ("delete" in the ERP). */
export async function archiveItems(em: Em, kind: MasterDataKind, externalIds: string[], now: Date) {
  const existing = await findByExternalIds<Row>(em, kind.entity, externalIds);
  return externalIds.map((externalId) => {
    const row = existing.get(externalId);
    if (!row) return { externalId, outcome: 'not_found' as const };
    if (row.archivedAt) return { externalId, id: row.id, outcome: 'unchanged' as const };
    row.archivedAt = now;
    return { externalId, id: row.id, outcome: 'archived' as const };
  });
}

/**
 * A full garbage collection after every fourth batch of 1,000 items (API requests and CSV
 * chunks of the whole process together). Each batch leaves some ten megabytes of short-lived
 * entities, change sets and SQL behind that survive long enough to be promoted; under a
 * steady stream of batches V8 then lets its old generation grow until the server's RSS
 * passes 500 MB before it collects. Collecting every few batches keeps it near 350 MB for
 * the same work; after every batch it would cost a third more time (`npm run bench:sync`).
 * Needs `node --expose-gc` as `npm start` runs it (src/http/upload.ts does the same for uploads).
 */
const BATCHES_PER_GC = 4;
let batchesSinceGc = 0;

export function collectBatchGarbage() {
  if (++batchesSinceGc < BATCHES_PER_GC) return;
  batchesSinceGc = 0;
  globalThis.gc?.({ type: 'major', execution: 'async' });
}
