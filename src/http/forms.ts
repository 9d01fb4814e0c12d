import type { TFunction } from 'i18next';

/** Problems of a submitted form: field name → i18n key of the message shown next to it. */
export type FieldErrors = Record<string, string>;
/** A message key, or a key with its values ("Das PDF hat {{pages}} Seiten ..."). */
export type FieldMessage = string | [string, Record<string, unknown>];

/** The messages of a form's problems in the request's language, for the template. */
export function fieldMessages(t: TFunction, errors: Partial<Record<string, FieldMessage>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [field, Array.isArray(message) ? String(t(message[0], message[1])) : String(t(message!))]),
  );
}

/** A submitted form field as a string: anything else (missing, repeated, nested) is empty. */
export function field(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A submitted textarea: a string with Windows line breaks made plain and the ends trimmed. */
export function textareaField(value: unknown): string {
  return field(value).replace(/\r\n/g, '\n').trim();
}
