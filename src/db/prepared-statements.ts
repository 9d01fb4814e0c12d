import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';

// PostgreSQL parses and plans an unnamed statement anew every time it is sent; for the
// pages' read statements (a few KB of SQL joining the access rule) planning cost more than
// executing. A named statement is parsed once per connection, and after five executions
// PostgreSQL keeps a generic plan where that plan is not dearer than the custom ones
// (plan_cache_mode auto), so a hot page's statement is planned once, not per request.
//
// Only statements with parameters get a name: Kysely's and raw `sql` templates send their
// values as parameters, so their text repeats; MikroORM's entity queries inline their values
// into the text, which would make every statement a new name.

/**
 * Distinct statement texts named at most; past it, new texts go unnamed. Each connection
 * (10 per process) keeps the ones it ran with their plans, so this bounds their memory too.
 * The texts are few by construction: values are parameters, and only fixed row bounds are
 * written into the text (offsetSql).
 */
const MAX_NAMED = 500;
const names = new Map<string, string>();

/** The statement's name: a digest of its text, so the same text has the same name on every connection. */
function nameOf(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED) return known;
  const name = `hp_${createHash('sha1').update(text).digest('base64url')}`;
  names.set(text, name);
  return name;
}

/**
 * A row bound (LIMIT, OFFSET) for a named statement: written into the text when it is the
 * `usual` value, as PostgreSQL's estimate for a bound it cannot see (`limit $1`) makes it
 * reject the generic plan; any other value stays a parameter, or every page number would be a
 * statement text of its own.
 */
export function rowBound(value: number, usual: number): RawBuilder<unknown> {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a row offset or limit: ${value}`);
  return value === usual ? sql.lit(value) : sql`${value}`;
}

/** An OFFSET for a named statement: the first page's `offset 0` in the text, a later page's as a parameter (rowBound). */
export function offsetSql(offset: number): RawBuilder<unknown> {
  return sql`offset ${rowBound(offset, 0)}`;
}

/**
 * The errors after which a connection's prepared statement is of no more use: its result
 * columns changed under it ("cached plan must not change result type", a migration of
 * another instance added a column to a `select *`), or the server no longer has it.
 */
const STALE_STATEMENT = new Set(['0A000', '26000']);

type Queryable = { query: (...args: never[]) => unknown };

/** Makes one `pg` client (on its pool's "connect") send parameterized statements as named prepared statements. */
export function prepareParameterizedStatementsOf(client: Queryable): void {
  const query = client.query;
  // Texts whose statement went stale on this connection, with how often: they get a new name
  // here (the stale one cannot be dropped inside a transaction that the error aborted).
  const renamed = new Map<string, number>();
  client.query = function (this: unknown, ...args: never[]) {
    const [text, values] = args as unknown[];
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || args.length !== 2) return query.apply(this, args);
    const base = nameOf(text);
    if (!base) return query.apply(this, args);
    const generation = renamed.get(text);
    const name = generation ? `${base}_${generation}` : base;
    const running = query.call(this, { name, text, values } as never) as Promise<unknown>;
    return running.catch((error: { code?: string }) => {
      if (STALE_STATEMENT.has(String(error?.code))) renamed.set(text, (generation ?? 0) + 1);
      throw error;
    });
  };
}
