import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openOrm, type Orm } from '../../src/db/orm.ts';
import { startTestApp, type TestApp } from '../support/app.ts';

/**
 * Parameterized statements go to PostgreSQL as named prepared statements
 * (src/db/prepared-statements.ts): parsed once per connection and, once PostgreSQL keeps a
 * generic plan, not planned again. Checked on one pinned connection of the app's own pool,
 * through `pg_prepared_statements` (which lists that connection's statements only).
 * PostgreSQL only: PGlite runs in the process and has no protocol to name statements on.
 */
type PgClient = { query: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>; release: () => void };
type PgPool = { connect: () => Promise<PgClient> };

const onPostgres = inject('testDatabase').kind === 'postgres';

async function poolOf(orm: Orm): Promise<PgPool> {
  return (await orm.em.getConnection().getNativeClient()) as unknown as PgPool;
}

async function preparedOn(client: PgClient, text: string) {
  const { rows } = await client.query(
    'select name, generic_plans::int as "genericPlans", custom_plans::int as "customPlans" from pg_prepared_statements where statement = $1',
    [text],
  );
  return rows as { name: string; genericPlans: number; customPlans: number }[];
}

describe.skipIf(!onPostgres)('named prepared statements', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('names a parameterized statement once per connection, and reuses its generic plan', async () => {
    const client = await (await poolOf(app.orm)).connect();
    try {
      const text = 'select count(*)::int as n from property where organization_id = $1 limit 1';
      for (let run = 0; run < 8; run++) {
        const { rows } = await client.query(text, [app.world.organizations.sonnenschein.id]);
        expect(rows[0].n).toBeGreaterThan(0);
      }
      const prepared = await preparedOn(client, text);
      expect(prepared).toHaveLength(1);
      expect(prepared[0].name).toMatch(/^hp_[\w-]{27}$/);
      // Planned five times with the values, then kept as one generic plan and no longer planned.
      expect(prepared[0].customPlans).toBe(5);
      expect(prepared[0].genericPlans).toBe(3);
    } finally {
      client.release();
    }
  });

  it("keeps an idle connection, and the statements prepared on it, past pg's default of 10 s (POOL_IDLE_TIMEOUT_MS)", async () => {
    const pool = await poolOf(app.orm);
    const text = 'select count(*)::int as n from unit where organization_id = $1';
    const first = await pool.connect();
    const { rows } = await first.query('select pg_backend_pid() as pid');
    await first.query(text, [app.world.organizations.sonnenschein.id]);
    first.release();
    // The pool hands out the connection released last: with pg's default it would be closed by now.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const again = await pool.connect();
    try {
      expect((await again.query('select pg_backend_pid() as pid')).rows[0].pid).toBe(rows[0].pid);
      expect(await preparedOn(again, text)).toHaveLength(1);
    } finally {
      again.release();
    }
  }, 30_000);

  it('leaves statements without parameters unnamed (the ORM inlines its values: each text would be a new name)', async () => {
    const client = await (await poolOf(app.orm)).connect();
    try {
      const text = `select count(*)::int as n from property where organization_id = '${app.world.organizations.sonnenschein.id}'`;
      await client.query(text);
      await client.query(text, []);
      expect(await preparedOn(client, text)).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('gives the same text the same name on every connection, and a failed execution does not spoil it', async () => {
    const pool = await poolOf(app.orm);
    const [first, second] = [await pool.connect(), await pool.connect()];
    try {
      const text = 'select 10 / $1::int as quotient';
      await expect(first.query(text, [0])).rejects.toThrow(/division by zero/);
      expect((await first.query(text, [2])).rows[0].quotient).toBe(5);
      expect((await second.query(text, [5])).rows[0].quotient).toBe(2);
      const [onFirst] = await preparedOn(first, text);
      const [onSecond] = await preparedOn(second, text);
      expect(onFirst.name).toBe(onSecond.name);
    } finally {
      first.release();
      second.release();
    }
  });

  it('gives a statement whose columns changed under it (another instance migrated) a new name on that connection: one error, not one per request', async () => {
    const client = await (await poolOf(app.orm)).connect();
    try {
      await client.query('create table prepared_probe (id int primary key, label text)');
      await client.query("insert into prepared_probe values (1, 'eins')");
      const text = 'select * from prepared_probe where id = $1';
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, label: 'eins' }]);
      await client.query('alter table prepared_probe add column note text');
      await expect(client.query(text, [1])).rejects.toThrow(/cached plan must not change result type/);
      expect((await client.query(text, [1])).rows).toEqual([{ id: 1, label: 'eins', note: null }]);
      expect((await client.query(text, [1])).rows).toHaveLength(1);
    } finally {
      await client.query('drop table if exists prepared_probe');
      client.release();
    }
  });

  it('PREPARED_STATEMENTS=off (behind a pooler in transaction mode) sends every statement unnamed', async () => {
    const orm = await openOrm({ kind: 'postgres', url: app.databaseUrl! }, { preparedStatements: false });
    const client = await (await poolOf(orm)).connect();
    try {
      const text = 'select $1::int + 1 as n';
      expect((await client.query(text, [1])).rows[0].n).toBe(2);
      expect(await preparedOn(client, text)).toEqual([]);
    } finally {
      client.release();
      await orm.close();
    }
  });
});
