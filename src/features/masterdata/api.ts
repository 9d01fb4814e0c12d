import { Collection } from '@mikro-orm/core';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { apiError, conflictOnUniqueViolation, jsonBodyLimit, readJson, type ApiEnv } from '../../api/common.ts';
import type { Em } from '../../db/orm.ts';
import { Organization, ROW_OUTCOMES } from '../../entities/index.ts';
import type { AppDeps } from '../../http/context.ts';
import { translator } from '../../http/i18n.ts';
import { externalIdSchema } from './fields.ts';
import { KINDS, type MasterDataKind } from './kinds/index.ts';
import { problemSentence } from './problems.ts';
import { ARCHIVE_OUTCOMES, archiveItems, collectBatchGarbage, upsertItems, type ItemResult } from './sync.ts';

// The sync API for master data: one set of routes per kind of ./kinds/index.ts, so a new
// kind module appears here (and in ./openapi.ts) without touching this file. Mounted at
// /api/v1 by src/api/app.ts behind the API-key middleware.

export const MAX_BATCH = 1000;

const english = translator('en');

const batchBody = z.object({ items: z.array(z.unknown()) });
const archiveBody = z.object({ externalIds: z.array(externalIdSchema) });

type Row = Record<string, unknown> & { id: string; externalId: string; archivedAt: Date | null; erpSyncedAt: Date | null; updatedAt: Date };

export function masterDataApi(deps: AppDeps) {
  const api = new Hono<ApiEnv>();
  for (const kind of KINDS) {
    api.put(`/${kind.name}`, jsonBodyLimit, async (c) => {
      const read = await readJson(c);
      if ('error' in read) return read.error;
      const parsed = batchBody.safeParse(read.body);
      if (!parsed.success) return c.json(apiError('invalid_body', `The body must be an object {"items": [...]} with 1 to ${MAX_BATCH} items.`), 400);
      const { items } = parsed.data;
      if (items.length === 0) return c.json(apiError('invalid_body', `The batch is empty: send 1 to ${MAX_BATCH} items.`), 400);
      if (items.length > MAX_BATCH)
        return c.json(apiError('batch_too_large', `At most ${MAX_BATCH} items per batch (got ${items.length}); split it into several requests.`), 400);

      const organization = await c.var.em.findOneOrFail(Organization, { id: c.var.apiKey.organization.id });
      const now = deps.clock.now();
      const results = await inOneTransaction(c, (tx) => upsertItems(tx, kind, items, { source: 'api', now, organization }));
      collectBatchGarbage();
      if (results instanceof Response) return results;
      return c.json({
        results: results.map((result) => itemAnswer(kind, result)),
        summary: summary(
          results.map((r) => r.outcome),
          ROW_OUTCOMES,
        ),
      });
    });

    api.post(`/${kind.name}/archive`, jsonBodyLimit, async (c) => {
      const read = await readJson(c);
      if ('error' in read) return read.error;
      const parsed = archiveBody.safeParse(read.body);
      if (!parsed.success) return c.json(apiError('invalid_body', 'The body must be an object {"externalIds": ["...", ...]} of non-empty strings.'), 400);
      const { externalIds } = parsed.data;
      if (externalIds.length === 0) return c.json(apiError('invalid_body', `No external ids: send 1 to ${MAX_BATCH}.`), 400);
      if (externalIds.length > MAX_BATCH)
        return c.json(apiError('batch_too_large', `At most ${MAX_BATCH} external ids per request (got ${externalIds.length}).`), 400);
      const now = deps.clock.now();
      const results = await c.var.em.transactional((tx) => archiveItems(tx as Em, kind, externalIds, now));
      return c.json({
        results: results.map((result, index) => ({ index, externalId: result.externalId, status: result.outcome, ...('id' in result && { id: result.id }) })),
        summary: summary(
          results.map((r) => r.outcome),
          ARCHIVE_OUTCOMES,
        ),
      });
    });

    api.get(`/${kind.name}/:externalId`, async (c) => {
      const row = await findRecord(c.var.em, kind, c.req.param('externalId'));
      if (!row) return notFound(c, kind);
      return c.json(recordAnswer(kind, row));
    });

    api.delete(`/${kind.name}/:externalId`, async (c) => {
      const externalId = c.req.param('externalId');
      const now = deps.clock.now();
      const [result] = await c.var.em.transactional((tx) => archiveItems(tx as Em, kind, [externalId], now));
      if (result.outcome === 'not_found') return notFound(c, kind);
      return c.json({ externalId, id: result.id, status: result.outcome });
    });
  }
  return api;
}

/** Runs a batch in one transaction; a race on a new external id rolls it all back (409, see conflictOnUniqueViolation). */
async function inOneTransaction<T>(c: Context<ApiEnv>, work: (tx: Em) => Promise<T>): Promise<T | Response> {
  try {
    return await c.var.em.transactional((tx) => work(tx as Em));
  } catch (error) {
    return conflictOnUniqueViolation(
      c,
      error,
      'Another request created some of these records at the same time. Nothing of this batch was written; send it again.',
    );
  }
}

function notFound(c: Context<ApiEnv>, kind: MasterDataKind) {
  return c.json(apiError('not_found', `No ${kind.name} record with this external id.`), 404);
}

function itemAnswer(kind: MasterDataKind, result: ItemResult) {
  return {
    index: result.position,
    externalId: result.externalId,
    status: result.outcome,
    ...(result.id && { id: result.id }),
    ...(result.changes && { changes: result.changes }),
    ...(result.problems && {
      errors: result.problems.map((problem) => ({ code: problem.code, field: problem.field ?? null, message: problemSentence(english, kind, problem, 'api') })),
    }),
  };
}

function summary<S extends string>(outcomes: string[], statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((status) => [status, outcomes.filter((outcome) => outcome === status).length])) as Record<S, number>;
}

async function findRecord(em: Em, kind: MasterDataKind, externalId: string) {
  const populate = kind.fields.filter((field) => field.ref).map((field) => field.property);
  return (await em.findOne(kind.entity, { externalId } as never, { populate: populate as never })) as Row | null;
}

/** A stored record in the API's field names: references as the external ids they point to. */
function recordAnswer(kind: MasterDataKind, row: Row) {
  const fields = Object.fromEntries(
    kind.fields.map((field) => {
      const value = row[field.property];
      if (value instanceof Collection) return [field.name, (value.getItems() as Array<{ externalId: string | null }>).map((item) => item.externalId)];
      if (field.ref) return [field.name, (value as { externalId: string | null } | null)?.externalId ?? null];
      if (field.toJson) return [field.name, value == null ? null : field.toJson(value)];
      if (typeof value === 'string' && field.schema instanceof z.ZodNumber) return [field.name, Number(value)];
      return [field.name, value ?? null];
    }),
  );
  return { externalId: row.externalId, id: row.id, ...fields, archived: row.archivedAt !== null, erpSyncedAt: row.erpSyncedAt, updatedAt: row.updatedAt };
}
