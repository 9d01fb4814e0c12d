import type { TFunction } from 'i18next';
import { EXTERNAL_ID_COLUMN } from './fields.ts';
import type { MasterDataKind, Problem } from './kinds/index.ts';

/**
 * A problem as a sentence: German for the console's import preview, English for the API
 * (which also sends the code). `source` decides how a field and the allowed values of a
 * choice are named: the CSV file's column and German words, or the API's JSON name and codes.
 */
export function problemSentence(t: TFunction, kind: MasterDataKind, problem: Problem, source: 'api' | 'csv'): string {
  const spec = kind.fields.find((f) => f.name === problem.field);
  const field = spec
    ? source === 'csv'
      ? spec.column
      : spec.name
    : source === 'csv' && problem.field === 'externalId'
      ? EXTERNAL_ID_COLUMN
      : (problem.field ?? '');
  const choices = spec?.choices ? (source === 'csv' ? Object.values(spec.choices).map((words) => words[0]) : Object.keys(spec.choices)).join(', ') : '';
  return String(t(`masterdata:problems.${problem.code}`, { ...problem.params, field, choices }));
}
