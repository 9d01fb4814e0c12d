import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type Resource, type TFunction } from 'i18next';

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'de';
export const LANGUAGE_COOKIE = 'hp_lang';

const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales');

/** Reads locales/<lang>/<namespace>.json: one namespace per surface (common, auth, console, ...). */
function loadResources(): Resource {
  const resources: Resource = {};
  for (const lang of LANGUAGES) {
    resources[lang] = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, lang)).filter((f) => f.endsWith('.json'))) {
      resources[lang][file.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(LOCALES_DIR, lang, file), 'utf8'));
    }
  }
  return resources;
}

const resources = loadResources();
export const i18n = i18next.createInstance();
await i18n.init({
  resources,
  lng: DEFAULT_LANGUAGE,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: [...LANGUAGES],
  ns: Object.keys(resources[DEFAULT_LANGUAGE]),
  defaultNS: 'common',
  // Eta escapes on output; escaping here too would show &amp; to users.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The translator of a language, built once. i18next resolves every call anew (namespace
 * split, path walk, interpolation pass): ~14 % of an empty page's CPU, and 15 % of a list
 * whose rows each show "seit {{date}}". So the translator remembers:
 * - a key asked without options (most labels): its answer;
 * - a key asked with plain values only ({ date: '01.02.2026' }, strings or numbers, none of
 *   i18next's own options such as count, context or defaultValue): its translation with a
 *   marker in place of each value, into which later calls put their values.
 * Anything else (plurals, contexts, formats such as `{{cap, number}}`, nestings `$t(…)`)
 * always goes to i18next. The resources are loaded once at start and
 * never change, so a remembered answer stays right.
 */
const translators = new Map<Language, TFunction>();
const MAX_REMEMBERED = 20_000;

export function translator(lang: Language): TFunction {
  let t = translators.get(lang);
  if (!t) {
    t = rememberingTranslator(i18n.getFixedT(lang));
    translators.set(lang, t);
  }
  return t;
}

/** Options that change what i18next looks up or how: a call with any of them is never remembered. */
const I18NEXT_OPTIONS = new Set([
  'count',
  'context',
  'ordinal',
  'defaultValue',
  'lng',
  'lngs',
  'fallbackLng',
  'ns',
  'keySeparator',
  'nsSeparator',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'interpolation',
  'skipInterpolation',
  'replace',
  'keyPrefix',
]);

/** Where the value of the i-th option goes in a remembered translation: characters no translation holds. */
const marker = (index: number) => `\u0001${index}\u0002`;
const MARKERS = /\u0001(\d+)\u0002/g;
/** An interpolation with a format (`{{cap, number}}`). */
const FORMATTED = /\{\{[^}]*,/;

/** A translation with a marker per value (option names in sorted order), or null where it cannot be remembered. */
type Template = string | null;

function plainValues(options: unknown): options is Record<string, string | number> {
  if (!options || typeof options !== 'object' || Array.isArray(options)) return false;
  for (const [name, value] of Object.entries(options)) {
    if (I18NEXT_OPTIONS.has(name) || name.startsWith('defaultValue') || (typeof value !== 'string' && typeof value !== 'number')) return false;
  }
  return true;
}

/** `t` answering from memory where it can (see translator); exported for its test. */
export function rememberingTranslator(t: TFunction): TFunction {
  const call = t as unknown as (...args: unknown[]) => unknown;
  const answers = new Map<string, unknown>();
  const templates = new Map<string, Template>();

  /**
   * The key translated with a marker per value; null where that would not be the answer for
   * other values: a format (`{{d, datetime}}` hands an unformattable marker back unchanged,
   * `{{n, number}}` makes it NaN), a nesting (`$t(…)`, which may build its key or options from
   * a value), a marker that did not come through (a missing key, an unused value).
   */
  const templateOf = (key: string, names: string[]): Template => {
    const raw = call(key, { skipInterpolation: true });
    if (typeof raw !== 'string' || raw.includes('$t(') || FORMATTED.test(raw)) return null;
    const text = call(key, Object.fromEntries(names.map((name, i) => [name, marker(i)])));
    if (typeof text !== 'string') return null;
    const used = new Set([...text.matchAll(MARKERS)].map((m) => Number(m[1])));
    return used.size === names.length ? text : null;
  };

  const remembered = (...args: unknown[]) => {
    const key = args[0];
    if (typeof key !== 'string') return call(...args);
    if (args.length === 1) {
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = call(key);
        // Keys come from the code; the bound only guards against one built from input.
        if (answers.size < MAX_REMEMBERED) answers.set(key, answer);
      }
      return answer;
    }
    const options = args[1];
    if (args.length !== 2 || !plainValues(options)) return call(...args);
    const names = Object.keys(options).sort();
    const id = `${key}\u0000${names.join('\u0000')}`;
    let template = templates.get(id);
    if (template === undefined) {
      template = templateOf(key, names);
      if (templates.size < MAX_REMEMBERED) templates.set(id, template);
    }
    if (template === null) return call(...args);
    return template.replace(MARKERS, (_, index: string) => String(options[names[Number(index)]]));
  };
  return remembered as unknown as TFunction;
}
