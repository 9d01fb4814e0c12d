import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { offsetSql } from '../../src/db/prepared-statements.ts';

/** Compiles SQL as the app's PostgreSQL dialect does, without a database. */
const db = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('offsetSql (src/db/prepared-statements.ts)', () => {
  it("writes the first page's offset into the text and passes a later page's as a parameter: one statement text for all later pages", () => {
    expect(offsetSql(0).compile(db)).toMatchObject({ sql: 'offset 0', parameters: [] });
    expect(offsetSql(50).compile(db)).toMatchObject({ sql: 'offset $1', parameters: [50] });
    expect(offsetSql(4950).compile(db).sql).toBe(offsetSql(50).compile(db).sql);
  });

  it('refuses what is no row offset', () => {
    for (const bad of [-50, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) expect(() => offsetSql(bad)).toThrow(/not a row offset/);
  });
});
