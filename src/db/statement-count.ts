import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';

// Counts the SQL statements each request sends (SQL_STATEMENT_COUNT=on, test/bench and
// test/integration/statement-count.test.ts): every statement of the ORM, of Kysely and of
// raw SQL ends in the driver's query function, so that is where it is counted, once, for
// whatever request the call belongs to (AsyncLocalStorage follows the awaits).

const current = new AsyncLocalStorage<{ statements: number }>();

/** Runs `fn` with a fresh counter; `counted()` inside it (and in what it awaits) reads it. */
export function withStatementCounter<T>(fn: () => T): T {
  return current.run({ statements: 0 }, fn);
}

/** Statements sent so far by the work started in the current withStatementCounter; 0 outside one. */
export function counted(): number {
  return current.getStore()?.statements ?? 0;
}

function count() {
  const store = current.getStore();
  if (store) store.statements++;
}

type Queryable = { query: (...args: never[]) => unknown };

/** Wraps one connection's query function (a `pg` client, on its pool's "connect"). */
export function countQueriesOf(client: Queryable): void {
  const query = client.query;
  client.query = function (this: unknown, ...args: never[]) {
    count();
    return query.apply(this, args);
  };
}

// PGlite creates its instance inside MikroORM's connection: wrap its class once.
let pgliteWrapped = false;
export function countPgliteQueries(): void {
  if (pgliteWrapped) return;
  pgliteWrapped = true;
  const proto = PGlite.prototype as unknown as Queryable & { exec: Queryable['query'] };
  countQueriesOf(proto);
  const exec = proto.exec;
  proto.exec = function (this: unknown, ...args: never[]) {
    count();
    return exec.apply(this, args);
  };
}
