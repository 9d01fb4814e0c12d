import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../../db/orm.ts';
import type { StaffUser } from '../../entities/index.ts';
import { HttpError } from '../../http/errors.ts';
import { field, type FieldMessage } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';
import type { MasterDataKind } from './kinds/index.ts';
import { erpLockedProperties, type ErpOwned } from './ownership.ts';
import { EXTERNAL_ID_MAX } from './fields.ts';
import { assignValues, sameValue, schemaProblems } from './sync.ts';

// The one way the console's Stammdaten forms (Liegenschaften, Adressen, Einheiten, Kontakte,
// Verträge, Dienstleister) read, check and archive records. Their messages, short and shown
// next to the field, are masterdata-console:problems.<code>.

/** A form as text: field name → submitted or stored value. */
export type Form = Record<string, string>;
export type FormErrors = Record<string, FieldMessage>;
/** A checked form: the values to store (entity property → value) and the messages per field. */
export type Checked = { values: Record<string, unknown>; errors: FormErrors };

/** The message of a console form problem (masterdata-console:problems.<code>). */
export function fieldProblem(code: string, params?: Record<string, unknown>): FieldMessage {
  const key = `masterdata-console:problems.${code}`;
  return params ? [key, params] : key;
}

/** The submitted form as text (trimmed), one value per field; missing or repeated ones are empty. */
export function formFromBody(body: Record<string, unknown> | undefined, names: readonly string[]): Form {
  return Object.fromEntries(names.map((name) => [name, field(body?.[name]).trim()]));
}

const decimalText = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 2, useGrouping: false });

/** A stored record as form text ("65,5" for a number, the id of a reference); an empty form without one. */
export function formOfRecord(record: object | null | undefined, names: readonly string[]): Form {
  return Object.fromEntries(
    names.map((name) => {
      const value = (record as Record<string, unknown> | null | undefined)?.[name];
      if (value === null || value === undefined) return [name, ''];
      if (typeof value === 'number') return [name, decimalText.format(value)];
      if (typeof value === 'object' && 'id' in value) return [name, String(value.id)];
      return [name, String(value)];
    }),
  );
}

/**
 * Checks form fields with the kind's FieldSpecs (src/features/masterdata/fields.ts), the same
 * as the sync API and the CSV import: the same lengths, choices, e-mail, number ("65,5") and
 * date formats ("31.12.2026" or ISO), so a value the console accepts is one the ERP could
 * have sent. An empty optional field is "none"; one that cannot be empty (notNull) is refused.
 */
export function checkKindFields(kind: MasterDataKind, form: Form, properties: readonly string[]): Checked {
  const values: Record<string, unknown> = {};
  const errors: FormErrors = {};
  for (const property of properties) {
    const spec = kind.fields.find((f) => f.property === property);
    if (!spec) throw new Error(`no field ${property} in kind ${kind.name}`);
    const text = field(form[property]).trim();
    if (!text && !spec.required && !spec.notNull) {
      values[property] = null;
      continue;
    }
    const result = spec.schema.safeParse(spec.fromCsv ? spec.fromCsv(text) : text, { reportInput: true });
    if (!result.success) {
      const [problem] = schemaProblems(result.error);
      errors[property] = fieldProblem(problem?.code ?? 'invalid', problem?.params ?? {});
    } else if (result.data === undefined) errors[property] = fieldProblem('required');
    else values[property] = result.data;
  }
  return { values, errors };
}

/** Adds the messages of the kind's rules across fields (a person without last name, ...); a field's first message wins. */
export function checkKindRules(kind: MasterDataKind, checked: Checked) {
  for (const problem of kind.check?.(checked.values) ?? []) checked.errors[problem.field!] ??= fieldProblem(problem.code);
}

/**
 * The fields of a record the console must not change: those the ERP sends while it owns the
 * record (src/features/masterdata/ownership.ts), and then also the Externe ID, the ERP's key
 * to the record (changing it would make the next sync create a second one).
 */
export function consoleLocked(kind: MasterDataKind, record: ErpOwned | null | undefined): Set<string> {
  const locked = erpLockedProperties(kind, record);
  if (locked.size) locked.add('externalId');
  return locked;
}

/** The submitted form with the locked fields as stored, whatever was posted (the server side of the disabled inputs). */
function keepLocked<F extends object>(submitted: F, stored: F | null, locked: Set<string>): F {
  if (!stored) return { ...submitted };
  return { ...submitted, ...Object.fromEntries([...locked].filter((name) => name in stored).map((name) => [name, stored[name as keyof F]])) };
}

/** Values or messages without those of the locked fields. */
function withoutLocked<T>(entries: Record<string, T>, locked: Set<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).filter(([key]) => !locked.has(key)));
}

/**
 * The one way a console form is checked against a record the ERP may own (consoleLocked):
 * the locked fields are taken from the stored record whatever was posted (the server side of
 * the disabled inputs), `check` runs on that form, and the locked fields are then left out of
 * the values to store and carry no message (the user cannot change them). `formFields` names
 * the form fields and message keys that stand for an entity property under another name (a
 * contract's Liegenschaft and Einheit for its unit). Returns the form as checked (to show it
 * again), the values to store and the messages per field.
 */
export async function checkEdit<F extends object>(options: {
  kind: MasterDataKind;
  record: ErpOwned | null;
  submitted: F;
  /** The stored record as this form. */
  stored: () => F;
  check: (form: F) => Checked | Promise<Checked>;
  formFields?: Record<string, string>;
}): Promise<{ form: F; values: Record<string, unknown>; errors: FormErrors }> {
  const locked = consoleLocked(options.kind, options.record);
  for (const [name, property] of Object.entries(options.formFields ?? {})) if (locked.has(property)) locked.add(name);
  const form = keepLocked(options.submitted, options.record ? options.stored() : null, locked);
  const checked = await options.check(form);
  return { form, values: withoutLocked(checked.values, locked), errors: withoutLocked(checked.errors, locked) };
}

/**
 * A new record of the Verwaltung from a form's checked values, audited as
 * `<subjectType>.created` with `details` (the caller flushes).
 */
export function createRecord<T extends { id: string }>(
  em: Em,
  staff: StaffUser,
  subjectType: string,
  entity: EntityName<T>,
  values: Record<string, unknown>,
  now: Date,
  details: Record<string, unknown> | null = null,
): T {
  const record = em.create(entity, { ...values, organization: staff.organization, createdAt: now, updatedAt: now } as never) as T;
  auditStaffAction(em, staff, `${subjectType}.created`, { type: subjectType, id: record.id }, details, now);
  return record;
}

/**
 * Writes a form's checked values (the ERP's fields already left out by checkEdit) onto a
 * record; a list of references replaces a collection. Audited as `<subjectType>.updated`
 * with the names of the changed fields, and only when something changed (the caller flushes).
 */
export function updateRecord(em: Em, staff: StaffUser, subjectType: string, record: { id: string }, values: Record<string, unknown>, now: Date) {
  const stored = record as unknown as Record<string, unknown>;
  const changed = Object.keys(values).filter((key) => !sameValue(stored[key], values[key]));
  if (changed.length === 0) return;
  assignValues(stored, values, changed);
  auditStaffAction(em, staff, `${subjectType}.updated`, { type: subjectType, id: record.id }, { fields: changed }, now);
}

/**
 * A submitted Externe ID: optional, at most EXTERNAL_ID_MAX characters, unique per Verwaltung and kind
 * (the scoped EntityManager looks only into the Verwaltung, archived records included).
 * Adds the value to store, or the message, to `checked`.
 */
export async function checkExternalId<T extends { id: string }>(
  em: Em,
  entity: EntityName<T>,
  submitted: string,
  record: { id: string } | null,
  checked: Checked,
) {
  const externalId = submitted.trim();
  if (!externalId) checked.values.externalId = null;
  else if (externalId.length > EXTERNAL_ID_MAX) checked.errors.externalId = fieldProblem('too_long', { max: EXTERNAL_ID_MAX });
  else if (await em.findOne(entity, { externalId, ...(record ? { id: { $ne: record.id } } : {}) } as never, { fields: ['id'] as never }))
    checked.errors.externalId = fieldProblem('external_id_taken');
  else checked.values.externalId = externalId;
}

/**
 * "Archivieren" / "Wiederherstellen" of a record in the console (no hard delete of anything
 * with history). A record the ERP owns is archived by the ERP (its delete), never here: the
 * next sync would otherwise bring it back unnoticed (409). Returns whether it changed.
 */
export function setArchived(
  em: Em,
  staff: StaffUser,
  subjectType: string,
  record: ErpOwned & { id: string; archivedAt?: Date | null },
  archived: boolean,
  now: Date,
): boolean {
  if (record.erpSyncedAt) throw new HttpError(409, 'masterdata-console:erp.archiveRefused', `${subjectType} ${record.id} is ERP-owned`);
  if (Boolean(record.archivedAt) === archived) return false;
  record.archivedAt = archived ? now : null;
  auditStaffAction(em, staff, `${subjectType}.${archived ? 'archived' : 'restored'}`, { type: subjectType, id: record.id }, null, now);
  return true;
}
