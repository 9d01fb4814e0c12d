import { raw } from '@mikro-orm/core';
import type { RawBuilder } from 'kysely';
import type { Em } from './orm.ts';

/**
 * A rule about one row, written once as a Kysely SQL condition: `alias` is the name the
 * row's table has in the query. The plain-row reads of hot pages put it into their SQL;
 * the entity queries of the module that owns the rule take it through asEntityFilter, so
 * a visibility rule is never written twice (once for rows, once for entities).
 */
export type RowCondition = (alias: string) => RawBuilder<unknown>;

/** A RowCondition as a MikroORM filter (`{ [raw(...)]: true }`) on the queried entity's alias. */
export function asEntityFilter(em: Em, condition: RowCondition) {
  const db = em.getKysely();
  // Kysely numbers its parameters ($1, $2, ...) in order; MikroORM's raw takes them as "?".
  const { parameters } = condition('x').compile(db);
  return { [raw((alias: string) => `(${condition(alias).compile(db).sql.replace(/\$\d+/g, '?')})`, parameters)]: true } as Record<string, true>;
}
