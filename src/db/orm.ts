import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { MikroORM as PgliteORM } from '@mikro-orm/pglite';
import { MikroORM as PostgresORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Configuration, MikroORM, Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { SessionCacheSubscriber } from '../auth/session.ts';
import * as entities from '../entities/index.ts';
import { AccessCacheSubscriber } from '../features/access/cache.ts';
import { whileHoldingAdvisoryLock } from './advisory-lock.ts';
import { prepareParameterizedStatementsOf } from './prepared-statements.ts';
import { countPgliteQueries, countQueriesOf } from './statement-count.ts';
import { tenantFilter } from './tenant.ts';

export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;
export type Em = SqlEntityManager;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(root, 'migrations');

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  /** dataDir undefined means in memory (tests). */
  | { kind: 'embedded'; dataDir: string | undefined };

export type OpenOrmOptions = {
  /** Logs every query (MikroORM's debug output). */
  debug?: boolean;
  /** Parameterized statements as named prepared statements on PostgreSQL (./prepared-statements.ts); default on. */
  preparedStatements?: boolean;
  /** Called with every SQL statement the ORM sends, before it is sent; tests count queries with it. */
  onQuery?: (sql: string) => void;
};

/** The ORM options shared by both drivers: same entities, same filter, same migrations. */
export function ormOptions({ debug = false, onQuery }: OpenOrmOptions = {}): Partial<Options> {
  return {
    entities: Object.values(entities).filter(
      (value): value is (typeof entities)['Organization'] => typeof value === 'object' && value !== null && 'meta' in value,
    ),
    filters: { tenant: tenantFilter },
    // Evict the in-process caches (src/db/process-cache.ts) after every flush that changes what they hold.
    subscribers: [new AccessCacheSubscriber(), new SessionCacheSubscriber()],
    // Every tenant row carries its own organization, so the filter on the queried entity
    // scopes the query; re-checking each referenced or populated row through extra joins
    // would only repeat that check at the cost of every list page.
    autoJoinRefsForFilters: false,
    filtersOnRelations: false,
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
    ...(onQuery && {
      onQuery: (sql: string) => {
        onQuery(sql);
        return sql;
      },
    }),
    allowGlobalContext: false,
    // Validate that required relations are set before INSERTs reach the database.
    validateRequired: true,
  };
}

/**
 * How long a pooled connection may stay idle before the pool closes it. `pg`'s default of 10 s
 * closed them between the visits of a quiet portal: the next page then paid a new connection
 * (a PostgreSQL backend started, the login) and prepared and planned its statements again
 * (./prepared-statements.ts keeps them per connection). Ten connections per process at most.
 */
export const POOL_IDLE_TIMEOUT_MS = 5 * 60_000;

/** The part of pg's Pool we use (pg's own types are not installed). */
type PoolEvents = { on: (event: 'connect', listener: (client: Parameters<typeof countQueriesOf>[0]) => void) => unknown };

/** Opens the ORM on real PostgreSQL or on the embedded one (PGlite). */
export async function openOrm(target: DatabaseTarget, options: OpenOrmOptions = {}): Promise<Orm> {
  if (target.kind === 'postgres') {
    return (await PostgresORM.init({
      ...ormOptions(options),
      clientUrl: target.url,
      pool: { min: 0, max: 10, idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS },
      // Every connection names its parameterized statements (./prepared-statements.ts) and
      // counts its statements for SQL_STATEMENT_COUNT (./statement-count.ts).
      driverOptions: {
        onPoolCreated: (pool: PoolEvents) =>
          pool.on('connect', (client) => {
            if (options.preparedStatements !== false) prepareParameterizedStatementsOf(client);
            countQueriesOf(client);
          }),
      },
    })) as unknown as Orm;
  }
  countPgliteQueries();
  // PGlite ships contrib extensions but loads only those named here; the migrations create
  // pg_trgm (contact search indexes, src/entities/contact.ts) and btree_gist (the bookings'
  // exclusion constraint, migrations/Migration20261206134000_bookings.ts), so both databases have them.
  return (await PgliteORM.init({
    ...ormOptions(options),
    dbName: target.dataDir ?? 'memory://',
    driverOptions: { extensions: { pg_trgm, btree_gist } },
  })) as unknown as Orm;
}

/**
 * Applies all pending migrations from migrations/. On PostgreSQL under an advisory lock:
 * of several instances starting at once on a fresh database one migrates while the others
 * wait and then find nothing to do (without it the second failed creating the same tables,
 * "duplicate key value violates unique constraint pg_type_typname_nsp_index"). The
 * migrator runs its own transaction on another connection; the lock is held on one of its
 * own for the whole run. The embedded database needs no lock: only one process can open
 * its directory.
 */
export async function migrate(orm: Orm): Promise<void> {
  if (isEmbedded(orm)) {
    await orm.migrator.up();
    return;
  }
  await whileHoldingAdvisoryLock(orm.em.fork(), 'hausportal:startup:migrate', () => orm.migrator.up());
}

/** Whether the ORM (or an EntityManager of it) runs on the embedded database (PGlite). */
export function isEmbedded(orm: Orm | Em): boolean {
  const config: Configuration = orm.config;
  return config.get('driver')?.name !== 'PostgreSqlDriver';
}
