import { randomBytes } from 'node:crypto';
import { MikroORM as PostgresORM } from '@mikro-orm/postgresql';
import { migrate, openOrm, type OpenOrmOptions, type Orm } from '../../src/db/orm.ts';
import { seedDemo } from '../../src/features/demo/seed.ts';

/**
 * Which database the tests run on: TEST_DATABASE_URL when set ("embedded" forces the
 * embedded one), else a local PostgreSQL on 127.0.0.1:5432 when one answers, else the
 * embedded PostgreSQL (PGlite) in memory.
 */
export type TestDatabaseMode = { kind: 'postgres'; adminUrl: string } | { kind: 'embedded' };

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function detectTestDatabase(): Promise<TestDatabaseMode> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured === 'embedded') return { kind: 'embedded' };
  if (configured) return { kind: 'postgres', adminUrl: configured };
  try {
    const orm = await PostgresORM.init({ clientUrl: LOCAL_POSTGRES, entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 1 } });
    await orm.em.fork().execute('select 1');
    await orm.close();
    return { kind: 'postgres', adminUrl: LOCAL_POSTGRES };
  } catch {
    return { kind: 'embedded' };
  }
}

/** Runs statements that cannot run inside a transaction (CREATE/DROP DATABASE). */
export async function adminExecute(adminUrl: string, statements: string[]) {
  const orm = await PostgresORM.init({ clientUrl: adminUrl, entities: [], discovery: { warnWhenNoEntities: false }, pool: { min: 0, max: 1 } });
  try {
    for (const sql of statements) await orm.em.fork().execute(sql);
  } finally {
    await orm.close();
  }
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A template database with migrations applied and the demo world seeded, cloned per test file. */
export async function createTemplate(adminUrl: string, name: string) {
  await adminExecute(adminUrl, [`drop database if exists "${name}"`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: databaseUrl(adminUrl, name) });
  try {
    await migrate(orm);
    await seedDemo(orm.em.fork());
  } finally {
    await orm.close();
  }
}

/**
 * A fresh database for one test file, seeded with the demo world. `url` is set on
 * PostgreSQL only: the embedded database lives in this process's memory.
 */
export async function openTestDatabase(
  mode: TestDatabaseMode,
  template: string | undefined,
  ormOptions: OpenOrmOptions = {},
): Promise<{ orm: Orm; drop: () => Promise<void>; url?: string }> {
  if (mode.kind === 'embedded') {
    const orm = await openOrm({ kind: 'embedded', dataDir: undefined }, ormOptions);
    await migrate(orm);
    await seedDemo(orm.em.fork());
    return { orm, drop: () => orm.close() };
  }
  const name = `hausportal_t_${randomBytes(6).toString('hex')}`;
  await adminExecute(mode.adminUrl, [`create database "${name}" template "${template}"`]);
  const url = databaseUrl(mode.adminUrl, name);
  const orm = await openOrm({ kind: 'postgres', url }, ormOptions);
  return {
    orm,
    url,
    drop: async () => {
      await orm.close();
      await adminExecute(mode.adminUrl, [`drop database if exists "${name}"`]);
    },
  };
}
