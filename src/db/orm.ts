import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MikroORM as PgliteORM } from '@mikro-orm/pglite';
import { MikroORM as PostgresORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MikroORM, Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import * as entities from '../entities/index.ts';
import { tenantFilter } from './tenant.ts';

export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;
export type Em = SqlEntityManager;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(root, 'migrations');

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  /** dataDir undefined means in memory (tests). */
  | { kind: 'embedded'; dataDir: string | undefined };

/** The ORM options shared by both drivers: same entities, same filter, same migrations. */
export function ormOptions(debug = false): Partial<Options> {
  return {
    entities: Object.values(entities).filter(
      (value): value is (typeof entities)['Organization'] => typeof value === 'object' && value !== null && 'meta' in value,
    ),
    filters: { tenant: tenantFilter },
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
    // Schema changes only through migrations; never let the ORM guess.
    discovery: { warnWhenNoEntities: true },
    forceUtcTimezone: true,
    debug,
    allowGlobalContext: false,
    // Validate that required relations are set before INSERTs reach the database.
    validateRequired: true,
  };
}

/** Opens the ORM on real PostgreSQL or on the embedded one (PGlite). */
export async function openOrm(target: DatabaseTarget, debug = false): Promise<Orm> {
  if (target.kind === 'postgres') {
    return (await PostgresORM.init({ ...ormOptions(debug), clientUrl: target.url, pool: { min: 0, max: 10 } })) as unknown as Orm;
  }
  return (await PgliteORM.init({ ...ormOptions(debug), dbName: target.dataDir ?? 'memory://' })) as unknown as Orm;
}

/** Applies all pending migrations from migrations/. */
export async function migrate(orm: Orm): Promise<void> {
  await orm.migrator.up();
}

export function isEmbedded(orm: Orm): boolean {
  return orm.config.get('driver')?.name !== 'PostgreSqlDriver';
}
