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
 * The translator of a language, built once. A key asked without options (most of a page's
 * labels) is looked up once and then answered from memory: i18next resolves every call anew
 * (namespace split, path walk, interpolation pass), ~14 % of an empty page's CPU. Calls with
 * options (interpolation, plurals, defaults) always go to i18next. The resources are loaded
 * once at start and never change, so a remembered answer stays right.
 */
const translators = new Map<Language, TFunction>();
const MAX_REMEMBERED = 20_000;

export function translator(lang: Language): TFunction {
  let t = translators.get(lang);
  if (!t) {
    t = remembering(i18n.getFixedT(lang));
    translators.set(lang, t);
  }
  return t;
}

function remembering(t: TFunction): TFunction {
  const call = t as unknown as (...args: unknown[]) => unknown;
  const answers = new Map<string, unknown>();
  const remembered = (...args: unknown[]) => {
    const key = args[0];
    if (args.length !== 1 || typeof key !== 'string') return call(...args);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = call(key);
      // Keys come from the code; the bound only guards against one built from input.
      if (answers.size < MAX_REMEMBERED) answers.set(key, answer);
    }
    return answer;
  };
  return remembered as unknown as TFunction;
}
