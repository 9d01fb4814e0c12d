import type { TFunction } from 'i18next';
import type { MasterDataKind, Problem } from './kinds/index.ts';

/**
 * A problem as a sentence: German for the console's import preview, English for the API
 * (which also sends the code). `source` decides how the allowed values of a choice are named:
 * the German words of the CSV file, or the API's codes.
 */
export function problemMessage(t: TFunction, kind: MasterDataKind, problem: Problem, source: 'api' | 'csv'): string {
  const spec = kind.fields.find((f) => f.name === problem.field);
  const field = spec ? (source === 'csv' ? spec.column : spec.name) : (problem.field ?? '');
  const choices = spec?.choices ? (source === 'csv' ? Object.values(spec.choices).map((words) => words[0]) : Object.keys(spec.choices)).join(', ') : '';
  return String(t(`masterdata:problems.${problem.code}`, { ...problem.params, field, choices }));
}
