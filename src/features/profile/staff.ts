import type { Em } from '../../db/orm.ts';
import { StaffUser } from '../../entities/index.ts';

/**
 * The Verwaltung's staff among these addresses (an Ansprechpartner entry that names a member
 * of staff by e-mail), by lower-case e-mail: what residents see of their staff profile.
 * The request's EntityManager is scoped to the Verwaltung (tenant filter).
 */
export async function staffByEmail(em: Em, emails: Array<string | null | undefined>): Promise<Map<string, StaffUser>> {
  const wanted = [...new Set(emails.filter((e): e is string => !!e).map((e) => e.toLowerCase()))];
  if (wanted.length === 0) return new Map();
  const staff = await em.find(StaffUser, { email: { $in: wanted }, disabledAt: null });
  return new Map(staff.map((s) => [s.email, s]));
}
