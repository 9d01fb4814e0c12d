import type { TFunction } from 'i18next';

/** Problems of a submitted form: field name → i18n key of the message shown next to it. */
export type FieldErrors = Record<string, string>;

/** The messages of a form's problems in the request's language, for the template. */
export function fieldMessages(t: TFunction, errors: Partial<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key!)]));
}

/** A submitted form field as a string: anything else (missing, repeated, nested) is empty. */
export function field(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
