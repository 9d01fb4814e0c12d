import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { EXTERNAL_ID_COLUMN, EXTERNAL_ID_MAX, type FieldSpec } from './fields.ts';
import type { MasterDataKind, Problem } from './kinds/index.ts';

// Reading a master-data CSV file as people make them (Excel "CSV (Trennzeichen-getrennt)",
// exports of other programs): UTF-8 with or without BOM or Windows-1252, `;`, `,` or tab,
// German numbers and dates (the kind's fromCsv). The file is streamed twice (once to decide
// the encoding, once to read the rows, in chunks), never held in memory whole.

export type CsvEncoding = 'utf-8' | 'windows-1252';
/** Opens the file's bytes anew for each pass (a temp upload, or the file in storage). */
export type ByteSource = () => AsyncIterable<Buffer>;
/** A file on disk as a ByteSource. */
export const fileSource =
  (filePath: string): ByteSource =>
  () =>
    createReadStream(filePath, { highWaterMark: READ_CHUNK });
export type CsvFormat = { encoding: CsvEncoding; delimiter: string; header: string[] };

/** A whole file refused: the i18n key (masterdata-import:file.*) and its values. */
export class CsvFileError extends Error {
  readonly key: string;
  readonly params: Record<string, string | number>;
  constructor(key: string, params: Record<string, string | number> = {}) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

/** A column of the file: the external id, a field of the kind, or a column without a name (ignored). */
export type Column = 'externalId' | FieldSpec | null;

/** One data row: the item for upsertItems, or the problems that refuse it before (encoding, cell count). */
export type CsvRow = { position: number; externalId: string | null; item?: Record<string, unknown>; problems?: Problem[] };

const READ_CHUNK = 64 * 1024;
/** The longest row read (characters); a longer one is refused as broken (an unclosed quote). */
const MAX_RECORD_CHARS = 64 * 1024;
/**
 * The most data rows one file may have: twice the largest portfolio we measured
 * (`npm run bench:sync`). The whole file is written in one transaction; bigger files are
 * split by the user.
 */
export const MAX_ROWS = 200_000;
const MAX_HEADER_BYTES = 64 * 1024;

// Files that are no text at all, by their first bytes: PDF, ZIP (also .xlsx/.docx/.ods),
// Compound File (.xls/.doc), UTF-16 byte order marks (which come with NUL bytes anyway).
const SIGNATURES = [
  Buffer.from('%PDF'),
  Buffer.from([0x50, 0x4b, 0x03, 0x04]),
  Buffer.from([0x50, 0x4b, 0x05, 0x06]),
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xfe, 0xff]),
];
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether a file's first bytes can be text (the upload check; the whole file is read by inspectCsv). */
export async function looksLikeText(filePath: string): Promise<boolean> {
  const file = await open(filePath, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, 0);
    const head = buffer.subarray(0, bytesRead);
    return !SIGNATURES.some((signature) => head.subarray(0, signature.length).equals(signature)) && !head.includes(0);
  } finally {
    await file.close();
  }
}

/**
 * The first pass: decides the encoding (UTF-8 when every byte is valid UTF-8, else
 * Windows-1252), refuses what is no text, an empty file or one with a header only, and reads
 * the header line and its delimiter.
 */
export async function inspectCsv(source: ByteSource): Promise<CsvFormat> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let isUtf8 = true;
  let size = 0;
  let headerParts: Buffer[] = [];
  let headerBytes = 0;
  let headerDone = false;
  let hasData = false;
  for await (const chunk of source()) {
    if (size === 0 && SIGNATURES.some((signature) => chunk.subarray(0, signature.length).equals(signature))) throw new CsvFileError('file.notCsv');
    size += chunk.length;
    if (chunk.includes(0)) throw new CsvFileError('file.notCsv');
    if (isUtf8) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        isUtf8 = false;
      }
    }
    let rest = chunk;
    if (!headerDone) {
      const newline = chunk.indexOf(0x0a);
      headerParts.push(newline === -1 ? chunk : chunk.subarray(0, newline));
      headerBytes += newline === -1 ? chunk.length : newline;
      if (headerBytes > MAX_HEADER_BYTES) throw new CsvFileError('file.notCsv');
      if (newline === -1) continue;
      headerDone = true;
      rest = chunk.subarray(newline + 1);
    }
    if (!hasData) hasData = rest.some((byte) => !BLANK_BYTES.has(byte));
  }
  if (isUtf8) {
    try {
      utf8.decode();
    } catch {
      isUtf8 = false;
    }
  }
  let headerLine = Buffer.concat(headerParts);
  headerParts = [];
  if (headerLine.subarray(0, 3).equals(UTF8_BOM)) headerLine = headerLine.subarray(3);
  const encoding: CsvEncoding = isUtf8 ? 'utf-8' : 'windows-1252';
  const headerText = new TextDecoder(encoding).decode(headerLine).replace(/\r$/, '');
  if (size === 0 || headerText.trim() === '') throw new CsvFileError('file.empty');
  if (!hasData) throw new CsvFileError('file.headerOnly');
  const delimiter = detectDelimiter(headerText);
  let header: string[];
  try {
    header = (parseSync(headerText, { delimiter, trim: true, relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    throw new CsvFileError('file.badHeader');
  }
  return { encoding, delimiter, header };
}

// What a line of no data consists of: blanks, line breaks, quotes and delimiters (";;;" from Excel).
const BLANK_BYTES = new Set([0x20, 0x09, 0x0d, 0x0a, 0x22, 0x3b, 0x2c]);

/** The delimiter of a header line: the most frequent of `;`, `,` and tab outside quotes (`;` on a tie). */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map([
    [';', 0],
    [',', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  return [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

const normalize = (name: string) => name.trim().toLowerCase();

/** The header's columns as fields of the kind; refuses the file on unknown, doubled or missing required columns. */
export function mapColumns(kind: MasterDataKind, header: string[]): Column[] {
  const byName = new Map<string, Column>([
    [normalize(EXTERNAL_ID_COLUMN), 'externalId'],
    ['externalid', 'externalId'],
  ]);
  for (const field of kind.fields) {
    byName.set(normalize(field.column), field);
    byName.set(normalize(field.name), field);
  }
  const unknown: string[] = [];
  const doubled: string[] = [];
  const columns = header.map((name): Column => {
    if (name.trim() === '') return null;
    const column = byName.get(normalize(name));
    if (column === undefined) unknown.push(name.trim());
    return column ?? null;
  });
  columns.forEach((column, index) => {
    if (column && columns.indexOf(column) !== index) doubled.push(header[index].trim());
  });
  const known = templateHeader(kind).join(', ');
  if (unknown.length) throw new CsvFileError('file.unknownColumns', { count: unknown.length, columns: unknown.map(quote).join(', '), known });
  if (doubled.length) throw new CsvFileError('file.doubledColumns', { count: doubled.length, columns: doubled.map(quote).join(', ') });
  const missing = [EXTERNAL_ID_COLUMN, ...kind.fields.filter((field) => field.required && !columns.includes(field)).map((field) => field.column)].filter(
    (name) => name !== EXTERNAL_ID_COLUMN || !columns.includes('externalId'),
  );
  if (missing.length) throw new CsvFileError('file.missingColumns', { count: missing.length, columns: missing.map(quote).join(', '), known });
  return columns;
}

const quote = (name: string) => `„${name}“`;

/** The template's header: Externe ID, then every field's column in the kind's order. */
export function templateHeader(kind: MasterDataKind): string[] {
  return [EXTERNAL_ID_COLUMN, ...kind.fields.map((field) => field.column)];
}

// UTF-8 read as Windows-1252: "ä" (C3 A4) shows as "Ã¤", "²" (C2 B2) as "Â²", "€" as "â‚¬".
// The second character is what 1252 makes of a UTF-8 continuation byte (0x80–0xBF).
const CONTINUATION = new TextDecoder('windows-1252').decode(Uint8Array.from({ length: 64 }, (_, i) => 0x80 + i));
const DOUBLE_ENCODED = new RegExp(`[ÂÃ][${CONTINUATION.replace(/[\\\]^-]/g, '\\$&')}]|â‚¬|\uFFFD`);

/** Whether a cell's text shows a broken encoding (double-encoded UTF-8, or the replacement character). */
export function brokenEncoding(text: string): boolean {
  return DOUBLE_ENCODED.test(text);
}

/** A parsed record as an item of the kind: empty cells are null (clears an optional field). */
function rowOf(position: number, record: string[], columns: Column[]): CsvRow {
  const idIndex = columns.indexOf('externalId');
  const externalId = record[idIndex] ? record[idIndex].slice(0, EXTERNAL_ID_MAX) : null;
  if (record.some(brokenEncoding)) return { position, externalId, problems: [{ code: 'csv_encoding' }] };
  const item: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    if (!column) return;
    const cell = record[index];
    if (column === 'externalId') item.externalId = cell === '' ? null : cell;
    else item[column.name] = cell === '' ? null : column.fromCsv ? column.fromCsv(cell) : cell;
  });
  return { position, externalId, item };
}

/** The text of a file in its encoding, decoded chunk by chunk (the BOM dropped). */
async function* decoded(source: ByteSource, encoding: CsvEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of source()) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const last = decoder.decode();
  if (last) yield last;
}

/**
 * The second pass: the data rows in chunks of at most `size`, each row with its line number
 * (the header is line 1). A row with the wrong number of cells or broken quotes is refused
 * on its own, with its line; empty lines and lines of empty cells are skipped.
 */
export async function* csvChunks(source: ByteSource, format: CsvFormat, columns: Column[], size = 1000): AsyncGenerator<CsvRow[]> {
  const skipped: CsvRow[] = [];
  const idIndex = columns.indexOf('externalId');
  const parser = parse({
    delimiter: format.delimiter,
    info: true,
    trim: true,
    bom: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    relax_column_count: false,
    // One unclosed quote would otherwise read the rest of the file into one cell.
    max_record_size: MAX_RECORD_CHARS,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (!error) return;
      const record = (error as CsvError & { record?: string[] }).record;
      const cells = error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && record;
      skipped.push({
        position: Number(error.lines),
        externalId: record?.[idIndex] ? String(record[idIndex]).slice(0, EXTERNAL_ID_MAX) : null,
        problems: [cells ? { code: 'csv_cells', params: { expected: format.header.length, found: record.length } } : { code: 'csv_syntax' }],
      });
    },
  });
  // The pipeline's failure (a read error) reaches the loop below through the parser.
  const piping = pipeline(Readable.from(decoded(source, format.encoding)), parser).catch(() => undefined);
  let chunk: CsvRow[] = [];
  let header = true;
  let rows = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (header) {
      header = false;
      continue;
    }
    if (++rows > MAX_ROWS) throw new CsvFileError('file.tooManyRows', { max: MAX_ROWS });
    // A quoted cell may span lines: count from the line the record starts on.
    const position = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    chunk.push(rowOf(position, record, columns));
    if (chunk.length + skipped.length >= size) {
      yield [...chunk, ...skipped.splice(0)];
      chunk = [];
    }
  }
  await piping;
  if (chunk.length || skipped.length) yield [...chunk, ...skipped.splice(0)];
}
