import type { EntityName, FindOneOptions } from '@mikro-orm/core';
import type { Em } from '../db/orm.ts';
import { NotFoundError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value from a URL or form is a well-formed id (anything else cannot exist). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Loads a record by id through the request's (Verwaltung-scoped) EntityManager, or throws
 * 404. A malformed id is a 404 too, never a database error, so URLs reveal nothing.
 */
// biome-ignore lint/suspicious/noExplicitAny: MikroORM types the populate hint per call; any entity is allowed here
export async function findByIdOr404<T extends object>(em: Em, entity: EntityName<T>, id: unknown, options?: FindOneOptions<T, any>): Promise<T> {
  if (!isUuid(id)) throw new NotFoundError(`malformed id ${String(id)}`);
  const found = await em.findOne(entity, { id } as never, options as never);
  if (!found) throw new NotFoundError(`${String((entity as { name?: string }).name ?? entity)} ${id} not in scope`);
  return found as T;
}
