import { z } from 'zod';

/** The longest external id (the ERP's key of a record; the column's length in the database). */
export const EXTERNAL_ID_MAX = 100;
/** An external id as the API, the CSV import and references accept it: trimmed, 1 to EXTERNAL_ID_MAX characters. */
export const externalIdSchema = z.string().trim().min(1).max(EXTERNAL_ID_MAX);
/** The external id's column in CSV files (it has no FieldSpec: every kind has it). */
export const EXTERNAL_ID_COLUMN = 'Externe ID';

/**
 * The fields of a master-data kind, declared once and used by everything that reads or
 * writes that kind from outside: the sync API's JSON schema and OpenAPI description, the
 * CSV import's columns and value formats, the comparison that decides created / updated /
 * unchanged, and the console, which shows these fields read-only while the ERP owns a record.
 */
export type FieldSpec = {
  /** JSON name in the API; also the i18n key of its label (masterdata:fields.<name>). */
  name: string;
  /** The entity property it is stored in. */
  property: string;
  /** The CSV column header (German, as in the template file). */
  column: string;
  required?: boolean;
  /** A text's most characters (the console's maxlength). */
  max?: number;
  /** Validates one non-null value (after CSV conversion). */
  schema: z.ZodType;
  /** Turns the text of a CSV cell into the value the schema checks (default: the text). */
  fromCsv?: (text: string) => unknown;
  /** How the value is written into a CSV file (template example, German formats). */
  example: string;
  /** The value is the external id of a record of another kind (units → properties, ...). */
  ref?: string;
  /** With ref: a list of external ids (a contract's contacts). */
  many?: boolean;
  /** With an enum: the German words the CSV import accepts for each code. */
  choices?: Record<string, string[]>;
  /**
   * The column cannot be empty (a choice or text with a default): null or an empty CSV cell then
   * means "as stored" (the default for a new record) instead of "clear".
   */
  notNull?: boolean;
  /** How a stored value is answered by the API's GET (money: cents → "1234.56"). */
  toJson?: (value: unknown) => unknown;
};

/** Text of at most `max` characters; an empty optional text means "none". */
export function text(
  name: string,
  column: string,
  max: number,
  options: { required?: boolean; notNull?: boolean; property?: string; example?: string; email?: boolean } = {},
): FieldSpec {
  const base = options.email
    ? z
        .string()
        .trim()
        .max(max)
        .pipe(z.union([z.literal(''), z.email()]))
    : z.string().trim().max(max);
  // An empty text of a column that cannot be empty means "as stored", like null (see notNull).
  const schema = options.required ? z.string().trim().min(1).max(max) : base.transform((v) => (v === '' ? (options.notNull ? undefined : null) : v));
  return {
    name,
    property: options.property ?? name,
    column,
    required: options.required,
    notNull: options.notNull,
    max,
    schema,
    example: options.example ?? '',
  };
}

/** One of a fixed set of codes; the CSV also accepts the German words in `choices`. */
export function choice<const T extends readonly [string, ...string[]]>(
  name: string,
  column: string,
  codes: T,
  choices: Record<T[number], string[]>,
  example: T[number],
): FieldSpec {
  const byWord = new Map<string, string>();
  for (const code of codes) {
    byWord.set(code.toLowerCase(), code);
    for (const word of choices[code as T[number]]) byWord.set(word.toLowerCase(), code);
  }
  return {
    name,
    property: name,
    column,
    schema: z.enum(codes),
    fromCsv: (cell) => byWord.get(cell.trim().toLowerCase()) ?? cell.trim(),
    choices,
    notNull: true,
    example: choices[example][0],
  };
}

/** A number with up to two decimals, written "65,5" or "1.234,56" in German CSV files. */
export function decimal(name: string, column: string, example: string): FieldSpec {
  return { name, property: name, column, schema: z.number().min(0).max(99_999_999), fromCsv: germanNumber, example };
}

/** A calendar day: ISO "2026-12-31" in JSON; "31.12.2026" or ISO in CSV files. */
export function date(name: string, column: string, options: { required?: boolean; example: string }): FieldSpec {
  return { name, property: name, column, required: options.required, schema: z.iso.date(), fromCsv: germanDate, example: options.example };
}

/**
 * A country as its ISO 3166-1 alpha-2 code ("DE", "AT"); lower case is upper-cased. The record
 * always has one: empty means "as stored" (notNull), the default for a new record.
 */
export function countryCode(name: string, column: string, example: string): FieldSpec {
  const schema = z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => code === '' || /^[A-Z]{2}$/.test(code), { params: { problem: 'invalid_country' } })
    .transform((code) => (code === '' ? undefined : code))
    .describe('ISO 3166-1 alpha-2 country code, e.g. "DE" or "AT"; lower case is upper-cased.');
  return { name, property: name, column, notNull: true, max: 2, schema, example };
}

/** The external id of a record of another kind. */
export function reference(name: string, property: string, column: string, ref: string, options: { required?: boolean; example: string }): FieldSpec {
  return { name, property, column, required: options.required, ref, schema: externalIdSchema, example: options.example };
}

/** A list of external ids of another kind; in CSV separated by "|" or ",". */
export function references(name: string, property: string, column: string, ref: string, options: { required?: boolean; example: string }): FieldSpec {
  return {
    name,
    property,
    column,
    required: options.required,
    ref,
    many: true,
    schema: z.array(externalIdSchema).min(1).max(50),
    fromCsv: (cell) =>
      cell
        .split(/[|,]/)
        .map((id) => id.trim())
        .filter(Boolean),
    example: options.example,
  };
}

/**
 * "1.234,56" → 1234.56, "65,5" → 65.5, "65.5" → 65.5, "1.234" → 1234 (German thousands).
 * Anything else becomes NaN, which the schema reports as an invalid number.
 */
export function germanNumber(cell: string): number {
  const value = cell.trim().replace(/\s/g, '');
  if (/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(value) || /^-?\d+(,\d+)?$/.test(value)) return Number(value.replace(/\./g, '').replace(',', '.'));
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return Number.NaN;
}

/**
 * "31.12.2026" → "2026-12-31"; ISO stays; anything else (also two-digit years, which could
 * mean 1998 or 2098) is left for the schema to refuse.
 */
export function germanDate(cell: string): string {
  const value = cell.trim();
  const german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
  if (!german) return value;
  return `${german[3]}-${german[2].padStart(2, '0')}-${german[1].padStart(2, '0')}`;
}

/**
 * Money as integer cents: the API takes a decimal string with at most two places ("1234.56",
 * "-80.00"), the CSV German decimals ("1.234,56", "-80"); three decimals are refused, never
 * rounded. Stored and computed as integer cents, never as a float.
 */
export function money(name: string, property: string, column: string, options: { required?: boolean; example: string }): FieldSpec {
  const schema = z
    .string()
    .trim()
    .refine((text) => /^-?\d{1,10}(\.\d+)?$/.test(text), { params: { problem: 'invalid_amount' } })
    .refine((text) => !/\.\d{3,}$/.test(text), { params: { problem: 'too_many_decimals' } })
    .transform((text) => decimalToCents(text))
    .describe('An amount in euros as a decimal string with at most two places, e.g. "1234.56" or "-80.00".');
  return {
    name,
    property,
    column,
    required: options.required,
    schema,
    fromCsv: germanAmount,
    toJson: (cents) => centsToDecimal(Number(cents)),
    example: options.example,
  };
}

/** "1234.56" → 123456 cents, by its digits (no float ever holds the amount). */
export function decimalToCents(text: string): number {
  const negative = text.startsWith('-');
  const [euros, fraction = ''] = text.replace('-', '').split('.');
  const cents = Number(euros) * 100 + Number(fraction.padEnd(2, '0'));
  return negative ? -cents : cents;
}

/** 123456 → "1234.56"; -8000 → "-80.00". */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A German CSV amount ("1.234,56", "-80", "12,5") as the API's decimal string ("1234.56"); anything else is left for the schema to refuse. */
export function germanAmount(cell: string): string {
  const value = cell.trim().replace(/\s/g, '').replace(/€$/, '');
  if (/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(value) || /^-?\d+(,\d+)?$/.test(value)) return value.replace(/\./g, '').replace(',', '.');
  return value;
}

/** Yes or no: true/false in JSON; "ja"/"nein" (or "1"/"0", "x") in CSV files. */
export function flag(name: string, column: string, example: string): FieldSpec {
  const words: Record<string, boolean> = { ja: true, j: true, x: true, '1': true, true: true, nein: false, n: false, '0': false, false: false };
  return {
    name,
    property: name,
    column,
    schema: z.boolean(),
    fromCsv: (cell) => words[cell.trim().toLowerCase()] ?? cell,
    notNull: true,
    example,
  };
}
