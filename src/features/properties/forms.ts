import { PROPERTY_KINDS, UNIT_KINDS } from '../../entities/index.ts';
import { field, type FieldMessage } from '../../http/forms.ts';
import { germanNumber } from '../masterdata/fields.ts';

/**
 * The console forms of Liegenschaften, Adressen and Einheiten: one declaration per field
 * (name = entity property), read from the submitted body, checked, and turned into the
 * values the entity gets. Lengths follow src/entities/property.ts.
 */
export type FormSpec = { name: string; max?: number; required?: boolean; codes?: readonly string[]; area?: boolean; ref?: boolean };

const EXTERNAL_ID: FormSpec = { name: 'externalId', max: 100 };
const ADDRESS: FormSpec[] = [
  { name: 'street', max: 200, required: true },
  { name: 'houseNumber', max: 20, required: true },
  { name: 'postalCode', max: 10, required: true },
  { name: 'city', max: 100, required: true },
];

export const PROPERTY_FORM: FormSpec[] = [{ name: 'name', max: 200, required: true }, { name: 'kind', codes: PROPERTY_KINDS }, EXTERNAL_ID];
/** "Neue Liegenschaft" asks for the first address too. */
export const NEW_PROPERTY_FORM: FormSpec[] = [...PROPERTY_FORM, ...ADDRESS];
export const ADDRESS_FORM: FormSpec[] = [...ADDRESS, EXTERNAL_ID];
export const UNIT_FORM: FormSpec[] = [
  { name: 'number', max: 100, required: true },
  { name: 'kind', codes: UNIT_KINDS },
  { name: 'areaSqm', area: true },
  { name: 'floor', max: 50 },
  { name: 'address', ref: true },
  EXTERNAL_ID,
];

export type Form = Record<string, string>;
export type FormErrors = Record<string, FieldMessage>;

/** The submitted form as text (trimmed), one value per declared field. */
export function formFromBody(body: Record<string, unknown> | undefined, specs: FormSpec[]): Form {
  return Object.fromEntries(specs.map((spec) => [spec.name, field(body?.[spec.name]).trim()]));
}

const areaText = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 2, useGrouping: false });

/** A stored record as form text ("65,5" for an area, the id of a reference). */
export function formOfRecord(record: Record<string, unknown>, specs: FormSpec[]): Form {
  return Object.fromEntries(
    specs.map((spec) => {
      const value = record[spec.name];
      if (value === null || value === undefined) return [spec.name, ''];
      if (spec.area) return [spec.name, areaText.format(Number(value))];
      if (spec.ref) return [spec.name, (value as { id: string }).id];
      return [spec.name, String(value)];
    }),
  );
}

/** Checks a form: the entity values and the messages per field. References come back as ids; the caller resolves them. */
export function parseForm(form: Form, specs: FormSpec[]) {
  const values: Record<string, unknown> = {};
  const errors: FormErrors = {};
  for (const spec of specs) {
    const text = form[spec.name] ?? '';
    if (!text) {
      if (spec.required) errors[spec.name] = 'properties-admin:errors.required';
      else if (spec.codes) errors[spec.name] = 'properties-admin:errors.choice';
      else values[spec.name] = null;
      continue;
    }
    if (spec.max && text.length > spec.max) errors[spec.name] = ['properties-admin:errors.tooLong', { max: spec.max }];
    else if (spec.codes && !spec.codes.includes(text)) errors[spec.name] = 'properties-admin:errors.choice';
    else if (spec.area) {
      const area = germanNumber(text);
      if (!Number.isFinite(area) || area < 0 || area > 99_999_999) errors[spec.name] = 'properties-admin:errors.area';
      else values[spec.name] = Math.round(area * 100) / 100;
    } else values[spec.name] = text;
  }
  return { values, errors };
}
