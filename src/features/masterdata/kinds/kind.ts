import type { EntityName } from '@mikro-orm/core';
import type { Em } from '../../../db/orm.ts';
import type { FieldSpec } from '../fields.ts';

/** A problem with one item or CSV row: a code (masterdata:problems.<code>), the field, values. */
export type Problem = { code: string; field?: string; params?: Record<string, string | number> };

/** The values of an item as they land on the entity: entity property → value (refs resolved). */
export type EntityValues = Record<string, unknown>;

/**
 * One kind of master data the ERP sync and the CSV import know: its entity, its fields and
 * the rules that go beyond one field. Adding a kind (e.g. accounting data for the owner
 * reports) is one such module, listed in ./index.ts.
 */
export type MasterDataKind = {
  /** The path segment of the API (/api/v1/<name>) and of the console import. */
  name: string;
  /** The external id of the template's example row; other kinds' reference examples point at it. */
  exampleExternalId: string;
  // biome-ignore lint/suspicious/noExplicitAny: any entity of the list
  entity: EntityName<any>;
  fields: FieldSpec[];
  /** Many-valued relations to load with existing records to compare them. */
  populate?: string[];
  /** How a row is named in the import preview, from the item's values. */
  label(values: EntityValues): string;
  /**
   * Rules across fields (an end before the start, ...), after references are resolved. `context`
   * is what `context` below loaded for the batch; `externalId` names the item itself.
   */
  check?(values: EntityValues, context?: unknown, externalId?: string): Problem[];
  /**
   * Loads what the rules across records need for a whole batch at once (the Wirtschaftsjahre
   * a booking must fall into, ...), after the references are resolved; handed to check.
   */
  context?(em: Em, referenced: Map<string, Map<string, Record<string, unknown>>>): Promise<unknown>;
  /** Values a new record gets besides its fields (a contact's Kontaktweg from the settings). */
  defaults?(organization: { defaultContactPreferenceOnline: boolean }): EntityValues;
};
