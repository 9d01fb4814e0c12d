import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import { type Property, PropertyStaff, StaffUser, Ticket, TicketCategory } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import type { FieldMessage } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * Administration › Vorgangsthemen: the Themen residents choose from ("Anliegen melden",
 * activeCategories in service.ts), and Liegenschaft › Zuständige Mitarbeiter (who gets the
 * mail of a new concern: responsibleStaff in notify.ts). Every change is audited.
 */

export const CATEGORY_NAME_MAX = 100;

/** The Themen in their order (active and archived, as the administration shows them), each with its ticket count. */
export async function categoriesWithUsage(em: Em) {
  const organization = scopedOrganization(em);
  const [categories, { rows }] = await Promise.all([
    em.find(TicketCategory, {}, { orderBy: { position: 'asc', name: 'asc', id: 'asc' } }),
    sql<{
      category_id: string;
      n: number;
    }>`select category_id, count(*)::int as n from ticket where organization_id = ${organization} group by category_id`.execute(em.getKysely()),
  ]);
  const counts = new Map(rows.map((r) => [r.category_id, Number(r.n)]));
  return categories.map((category) => ({ category, tickets: counts.get(category.id) ?? 0 }));
}

/** Why a name cannot be used (an i18n key), or null: required, at most 100 characters, unique among the active Themen. */
async function nameProblem(em: Em, name: string, except?: TicketCategory): Promise<FieldMessage | null> {
  if (!name) return 'tickets-console:categories.errors.nameRequired';
  if (name.length > CATEGORY_NAME_MAX) return ['tickets-console:categories.errors.nameTooLong', { max: CATEGORY_NAME_MAX }];
  const active = await em.find(TicketCategory, { archivedAt: null, ...(except && { id: { $ne: except.id } }) }, { fields: ['name'] });
  if (active.some((c) => c.name.toLocaleLowerCase('de') === name.toLocaleLowerCase('de'))) return 'tickets-console:categories.errors.nameTaken';
  return null;
}

const normalizeName = (name: string) => name.trim().replace(/\s+/g, ' ');
const subject = (category: TicketCategory) => ({ type: 'ticket_category', id: category.id });

/** "Thema hinzufügen": at the end of the order. */
export async function addCategory(em: Em, staff: StaffUser, rawName: string, now: Date): Promise<FieldMessage | null> {
  const name = normalizeName(rawName);
  const problem = await nameProblem(em, name);
  if (problem) return problem;
  const last = await em.findOne(TicketCategory, {}, { orderBy: { position: 'desc' }, fields: ['position'] });
  const category = em.create(TicketCategory, { organization: staff.organization, name, position: (last?.position ?? -1) + 1, createdAt: now });
  auditStaffAction(em, staff, 'ticket_category.added', subject(category), { name }, now);
  await em.flush();
  return null;
}

/** "Umbenennen": old tickets show the new name too. */
export async function renameCategory(em: Em, staff: StaffUser, category: TicketCategory, rawName: string, now: Date): Promise<FieldMessage | null> {
  const name = normalizeName(rawName);
  if (name === category.name) return null;
  // An archived Thema may share its name with an active one; it must not when restored.
  const problem = await nameProblem(em, name, category);
  if (problem && !(category.archivedAt && problem === 'tickets-console:categories.errors.nameTaken')) return problem;
  auditStaffAction(em, staff, 'ticket_category.renamed', subject(category), { from: category.name, to: name }, now);
  category.name = name;
  await em.flush();
  return null;
}

/** "Nach oben" / "Nach unten": swaps with the neighbour; positions are renumbered 0..n-1 on the way. */
export async function moveCategory(em: Em, staff: StaffUser, category: TicketCategory, direction: 'up' | 'down', now: Date) {
  const all = await em.find(TicketCategory, {}, { orderBy: { position: 'asc', name: 'asc', id: 'asc' } });
  const i = all.findIndex((c) => c.id === category.id);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= all.length) return;
  [all[i], all[j]] = [all[j], all[i]];
  all.forEach((c, position) => {
    c.position = position;
  });
  auditStaffAction(em, staff, 'ticket_category.moved', subject(category), { name: category.name, direction }, now);
  await em.flush();
}

/** "Archivieren": no longer offered to residents; tickets keep it. */
export async function archiveCategory(em: Em, staff: StaffUser, category: TicketCategory, now: Date) {
  if (category.archivedAt) return;
  category.archivedAt = now;
  auditStaffAction(em, staff, 'ticket_category.archived', subject(category), { name: category.name }, now);
  await em.flush();
}

/** "Wiederherstellen": offered again, unless an active Thema has taken its name meanwhile. */
export async function restoreCategory(em: Em, staff: StaffUser, category: TicketCategory, now: Date): Promise<FieldMessage | null> {
  if (!category.archivedAt) return null;
  const problem = await nameProblem(em, category.name, category);
  if (problem) return 'tickets-console:categories.errors.restoreNameTaken';
  category.archivedAt = null;
  auditStaffAction(em, staff, 'ticket_category.restored', subject(category), { name: category.name }, now);
  await em.flush();
  return null;
}

/** "Löschen": only a Thema no ticket uses. */
export async function deleteCategory(em: Em, staff: StaffUser, category: TicketCategory, now: Date): Promise<FieldMessage | null> {
  if ((await em.count(Ticket, { category: category.id })) > 0) return 'tickets-console:categories.errors.inUse';
  auditStaffAction(em, staff, 'ticket_category.deleted', subject(category), { name: category.name }, now);
  em.remove(category);
  await em.flush();
  return null;
}

// ---------------------------------------------------------------------------------------
// Liegenschaft › Zuständige Mitarbeiter

/** The staff who can be made responsible (not disabled), by name, and the ids currently chosen for the property. */
export async function responsibleStaffChoice(em: Em, property: Property) {
  const [staff, rows] = await Promise.all([
    em.find(StaffUser, { disabledAt: null }, { orderBy: { name: 'asc' } }),
    em.find(PropertyStaff, { property: property.id }, { fields: ['staffUser'] }),
  ]);
  return { staff, chosen: new Set(rows.map((r) => r.staffUser.id)) };
}

/**
 * Replaces the responsible staff of a property. Ids that are not staff of this Verwaltung
 * (or disabled) refuse the whole form: the i18n key of the message, nothing saved.
 */
export async function setResponsibleStaff(em: Em, staff: StaffUser, property: Property, ids: string[], now: Date): Promise<FieldMessage | null> {
  if (ids.some((id) => !isUuid(id))) return 'tickets-console:responsible.errors.unknownStaff';
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const chosen = wanted.length > 0 ? await em.find(StaffUser, { id: { $in: wanted }, disabledAt: null }, { orderBy: { name: 'asc' } }) : [];
  if (chosen.length !== wanted.length) return 'tickets-console:responsible.errors.unknownStaff';
  await em.transactional(async (tx) => {
    await tx.nativeDelete(PropertyStaff, { property: property.id });
    for (const member of chosen) tx.create(PropertyStaff, { organization: staff.organization, property, staffUser: member });
    auditStaffAction(tx as Em, staff, 'property.responsible_staff', { type: 'property', id: property.id }, { staff: chosen.map((s) => s.name) }, now);
  });
  return null;
}
