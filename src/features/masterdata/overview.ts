import { Router } from 'express';
import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { KINDS } from './kinds/index.ts';

// Stammdaten (staff, /verwaltung/stammdaten): per kind how many records, how many the ERP
// keeps, and its last sync. Mounted in src/app.ts before the admin-only routes under the
// same prefix (CSV import, release from the ERP).

/** Where each kind's list lives in the console. */
const KIND_LISTS: Record<string, string> = {
  properties: '/verwaltung/liegenschaften',
  addresses: '/verwaltung/adressen',
  units: '/verwaltung/einheiten',
  contacts: '/verwaltung/kontakte',
  contracts: '/verwaltung/vertraege',
  'service-providers': '/verwaltung/dienstleister',
};

export function overviewRoutes() {
  const router = Router();
  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const kinds = await masterDataOverview(req.em);
      render(req, res, 'masterdata/overview', { title: req.t('masterdata-import:overview.title'), kinds, lists: KIND_LISTS });
    }),
  );
  return router;
}

export type KindFigures = { kind: string; active: number; archived: number; erpOwned: number; lastSync: Date | null };

/**
 * The Stammdaten overview: per kind the active and archived records, how many of the active
 * ones the ERP keeps, and its last sync — one statement for all kinds (plain SQL, so the
 * Verwaltung is named explicitly).
 */
export async function masterDataOverview(em: Em): Promise<KindFigures[]> {
  const organizationId = scopedOrganization(em);
  const parts = KINDS.map((kind) => {
    const table = em.getMetadata().get(kind.entity).tableName;
    return sql`select ${kind.name}::text as kind,
        count(*) filter (where archived_at is null)::int as active,
        count(*) filter (where archived_at is not null)::int as archived,
        count(*) filter (where archived_at is null and erp_synced_at is not null)::int as erp_owned,
        max(erp_synced_at) as last_sync
      from ${sql.table(table)} where organization_id = ${organizationId}`;
  });
  const { rows } = await sql<{
    kind: string;
    active: number;
    archived: number;
    erp_owned: number;
    last_sync: Date | string | null;
  }>`${sql.join(parts, sql` union all `)}`.execute(em.getKysely());
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  return KINDS.map((kind) => {
    const row = byKind.get(kind.name)!;
    return { kind: kind.name, active: row.active, archived: row.archived, erpOwned: row.erp_owned, lastSync: row.last_sync ? new Date(row.last_sync) : null };
  });
}
