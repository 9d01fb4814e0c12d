import { createHash } from 'node:crypto';

// PostgreSQL parses and plans an unnamed statement anew every time it is sent; for the
// pages' read statements (a few KB of SQL joining the access rule) planning cost more than
// executing. A named statement is parsed once per connection, and after five executions
// PostgreSQL keeps a generic plan where that plan is not dearer than the custom ones
// (plan_cache_mode auto), so a hot page's statement is planned once, not per request.
//
// Only statements with parameters get a name: Kysely's and raw `sql` templates send their
// values as parameters, so their text repeats; MikroORM's entity queries inline their values
// into the text, which would make every statement a new name.

/** Distinct statement texts named at most; past it, new texts go unnamed (bounded memory here and in each backend). */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

/** The statement's name: a digest of its text, so the same text has the same name on every connection. */
function nameOf(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED) return known;
  const name = `hp_${createHash('sha1').update(text).digest('base64url')}`;
  names.set(text, name);
  return name;
}

type Queryable = { query: (...args: never[]) => unknown };

/** Makes one `pg` client (on its pool's "connect") send parameterized statements as named prepared statements. */
export function prepareParameterizedStatementsOf(client: Queryable): void {
  const query = client.query;
  client.query = function (this: unknown, ...args: never[]) {
    const [text, values] = args as unknown[];
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && args.length === 2) {
      const name = nameOf(text);
      if (name) return query.call(this, { name, text, values } as never);
    }
    return query.apply(this, args);
  };
}
