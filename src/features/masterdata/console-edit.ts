import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import type { StaffUser } from '../../entities/index.ts';
import { field, type FieldMessage } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';
import type { MasterDataKind } from './kinds/index.ts';
import { erpLockedProperties } from './ownership.ts';

/** A master-data record as the console edits it (entities type these optional). */
type Owned = { erpSyncedAt?: Date | null };
import { schemaProblems } from './sync.ts';

/**
 * The console's forms of a master-data kind check their fields with the same FieldSpecs as
 * the sync API and the CSV import (src/features/masterdata/fields.ts): the same lengths,
 * e-mail and date formats ("31.12.2026" or ISO), so a value the console accepts is one the
 * ERP could have sent. Messages are the console's own, short, shown next to the field
 * (contacts-admin:problems.<code>).
 */
export function checkKindFields(kind: MasterDataKind, form: Record<string, string>, properties: string[]) {
  const values: Record<string, unknown> = {};
  const errors: Record<string, FieldMessage> = {};
  for (const property of properties) {
    const spec = kind.fields.find((f) => f.property === property);
    if (!spec) throw new Error(`no field ${property} in kind ${kind.name}`);
    const text = field(form[property]).trim();
    if (!text && !spec.required) {
      values[property] = null;
      continue;
    }
    const result = spec.schema.safeParse(spec.fromCsv ? spec.fromCsv(text) : text);
    if (result.success) values[property] = result.data;
    else {
      const [problem] = schemaProblems(result.error);
      errors[property] = [`contacts-admin:problems.${problem?.code ?? 'invalid'}`, problem?.params ?? {}];
    }
  }
  return { values, errors };
}

/**
 * The fields of a record the console must not change: those the ERP sends while it owns the
 * record (src/features/masterdata/ownership.ts), and then also the Externe ID, the ERP's key
 * to the record (changing it would make the next sync create a second one).
 */
export function consoleLocked(kind: MasterDataKind, record: Owned | null | undefined): Set<string> {
  const locked = erpLockedProperties(kind, record ? { erpSyncedAt: record.erpSyncedAt ?? null } : null);
  if (locked.size) locked.add('externalId');
  return locked;
}

/**
 * A submitted Externe ID: optional, at most 100 characters, unique per Verwaltung and kind
 * (the scoped EntityManager looks only into the Verwaltung, archived records included).
 * Returns the value to store or the message.
 */
export async function checkExternalId<T extends { id: string }>(em: Em, entity: EntityName<T>, submitted: string, record: { id: string } | null): Promise<string | null | { error: FieldMessage }> {
  const externalId = submitted.trim();
  if (!externalId) return null;
  if (externalId.length > 100) return { error: ['contacts-admin:problems.too_long', { max: 100 }] };
  const other = await em.findOne(entity, { externalId, ...(record ? { id: { $ne: record.id } } : {}) } as never, { fields: ['id'] as never });
  return other ? { error: 'contacts-admin:problems.external_id_taken' } : externalId;
}

/**
 * "Archivieren" / "Wiederherstellen" of a record in the console (no hard delete of anything
 * with history). A record the ERP owns is archived by the ERP (its delete), never here.
 * Returns whether it changed.
 */
export function setArchived(em: Em, staff: StaffUser, subjectType: string, record: Owned & { id: string; archivedAt?: Date | null }, archived: boolean, now: Date): boolean {
  if (record.erpSyncedAt || Boolean(record.archivedAt) === archived) return false;
  record.archivedAt = archived ? now : null;
  auditStaffAction(em, staff, `${subjectType}.${archived ? 'archived' : 'restored'}`, { type: subjectType, id: record.id }, null, now);
  return true;
}
