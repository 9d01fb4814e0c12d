import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TFunction } from 'i18next';
import { i18n, LANGUAGES, rememberingTranslator, translator } from '../../src/http/i18n.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function flatKeys(dir: string): Set<string> {
  const keys = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const walk = (node: Record<string, unknown>, prefix: string) => {
      for (const [key, value] of Object.entries(node)) {
        const full = prefix ? `${prefix}.${key}` : key;
        if (value && typeof value === 'object') walk(value as Record<string, unknown>, full);
        else keys.add(`${file.replace(/\.json$/, '')}:${full}`);
      }
    };
    walk(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), '');
  }
  return keys;
}

function filesUnder(dir: string, ext: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, ext);
    return ext.some((e) => name.endsWith(e)) ? [full] : [];
  });
}

describe('locales', () => {
  const de = flatKeys(path.join(ROOT, 'locales/de'));
  const en = flatKeys(path.join(ROOT, 'locales/en'));

  it('have the same keys in German and English', () => {
    expect([...de].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !de.has(k))).toEqual([]);
  });

  it('have no empty texts', () => {
    for (const lang of LANGUAGES) {
      for (const key of lang === 'de' ? de : en) expect(i18n.t(key, { lng: lang }), `${lang} ${key}`).not.toBe('');
    }
  });

  it('say every count through a plural ("1 Eintrag", "2 Einträge"): a text with {{count}} is a key_one/key_other pair', () => {
    for (const [lang, keys] of [
      ['de', de],
      ['en', en],
    ] as const) {
      const raw = (key: string) => {
        const [ns, rest] = key.split(':');
        return (rest.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], i18n.getResourceBundle(lang, ns)) ?? '') as string;
      };
      const unpaired = [...keys].filter((key) => /\{\{count\b/.test(raw(key)) && !/_(zero|one|two|few|many|other)$/.test(key));
      expect(unpaired, `${lang}: counts without plural forms`).toEqual([]);
      const lonely = [...keys].filter((key) => key.endsWith('_one') && !keys.has(key.replace(/_one$/, '_other')));
      expect(lonely, `${lang}: _one without _other`).toEqual([]);
    }
    // The rule at work: one entry is "1 Eintrag", not "1 Einträge".
    expect(i18n.t('pagination.status', { lng: 'de', page: 1, pages: 1, count: 1 })).toBe('Seite 1 von 1 · 1 Eintrag');
    expect(i18n.t('documents:show.downloads', { lng: 'de', count: 1 })).toBe('1 Download');
    expect(i18n.t('documents:show.downloads', { lng: 'en', count: 2 })).toBe('2 downloads');
  });

  it('contain every key the templates and the code use literally', () => {
    const used = new Set<string>();
    for (const file of [...filesUnder(path.join(ROOT, 'views'), ['.eta']), ...filesUnder(path.join(ROOT, 'src'), ['.ts'])]) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bt\(\s*['"]([a-zA-Z][\w.:-]*)['"]/g)) used.add(match[1]);
      // Keys handed over as values, e.g. errors.name = 'console:staff.errors.nameRequired'.
      for (const match of source.matchAll(/['"]((?:auth|console|portal|mail|common):[\w.-]+)['"]/g)) used.add(match[1]);
    }
    // A key with a count may exist only in its plural forms (i18next: key_one, key_other).
    const missing = [...used].map((k) => (k.includes(':') ? k : `common:${k}`)).filter((k) => !de.has(k) && !de.has(`${k}_other`));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(50);
  });
});

describe('the remembering translator (src/http/i18n.ts translator)', () => {
  // Texts the locales may hold one day, in a namespace of this test only.
  i18n.addResourceBundle('de', 'remember-test', {
    two: '{{first}} und {{second}}, wieder {{first}}',
    dated: 'am {{d, datetime}}',
    nested: 'Status: $t(remember-test:status.{{s}})',
    status: { open: 'offen', closed: 'geschlossen' },
  });

  /** A translator over i18next that counts the calls reaching i18next. */
  function countingTranslator() {
    const fixed = i18n.getFixedT('de');
    let calls = 0;
    const counted = ((...args: unknown[]) => {
      calls++;
      return (fixed as unknown as (...a: unknown[]) => unknown)(...args);
    }) as unknown as TFunction;
    return { t: rememberingTranslator(counted), reference: fixed, calls: () => calls };
  }

  /** Calls answered by the remembering translator (twice: the second from memory) and by i18next itself. */
  const cases: Array<[string, Record<string, unknown>?]> = [
    ['console:since', { date: '01.02.2026' }],
    ['console:contractStatus.future', { date: '31.12.2026' }],
    // A value with what String.replace would read as patterns, and with a marker's characters.
    ['console:until', { date: '$& $1 $$ \u00010\u0002' }],
    ['console:since', { date: 42 }],
    // Two values, one of them twice, given in either order.
    ['remember-test:two', { first: 'A', second: 'B' }],
    ['remember-test:two', { second: 'D', first: 'C' }],
    // Formats and nestings: a marker would not pass through them as a value does.
    ['console:overview.units.ticketsMore', { cap: 1000 }],
    ['remember-test:dated', { d: Date.UTC(2026, 11, 6) }],
    ['remember-test:nested', { s: 'open' }],
    ['remember-test:nested', { s: 'closed' }],
    // Plurals and contexts: i18next's own options.
    ['console:overview.units.tickets', { count: 1 }],
    ['console:overview.units.tickets', { count: 7 }],
    // A missing key, with and without a default.
    ['console:noSuchKey', { date: 'x' }],
    ['console:noSuchKey', { defaultValue: 'Vorgabe {{date}}', date: 'x' }],
    // An option the text does not use, and an object value.
    ['console:since', { date: '01.02.2026', unused: 'y' }],
    ['console:since', { date: { toString: () => 'als Objekt' } }],
    ['console:since'],
  ];

  it('answers as i18next does', () => {
    const { t, reference } = countingTranslator();
    for (const [key, options] of cases) {
      const expected = options ? reference(key, options as never) : reference(key);
      const call = () => (options ? t(key, options as never) : t(key));
      expect(call(), `${key} ${JSON.stringify(options)}`).toBe(expected);
      expect(call(), `${key} ${JSON.stringify(options)}, again`).toBe(expected);
    }
    expect(t('remember-test:nested', { s: 'closed' })).toBe('Status: geschlossen');
    expect(t('console:overview.units.ticketsMore', { cap: 1000 })).toBe('mehr als 1.000 Vorgänge');
  });

  it('answers labels and texts with plain values from memory, each call with its own values', () => {
    const { t, calls } = countingTranslator();
    expect(t('console:since', { date: '01.02.2026' })).toBe('seit 01.02.2026');
    expect(t('remember-test:two', { first: 'A', second: 'B' })).toBe('A und B, wieder A');
    expect(t('console:appName')).toBe(i18n.getFixedT('de')('console:appName'));
    const asked = calls();
    for (let day = 1; day <= 9; day++) expect(t('console:since', { date: `0${day}.02.2026` })).toBe(`seit 0${day}.02.2026`);
    expect(t('remember-test:two', { second: 'Y', first: 'X' })).toBe('X und Y, wieder X');
    expect(t('console:appName')).toBe(i18n.getFixedT('de')('console:appName'));
    expect(calls()).toBe(asked);
    // A format is asked of i18next every time.
    t('console:overview.units.ticketsMore', { cap: 5 });
    t('console:overview.units.ticketsMore', { cap: 6 });
    expect(calls()).toBeGreaterThanOrEqual(asked + 2);
  });

  for (const lang of LANGUAGES) {
    it(`is the translator of ${lang}`, () => {
      expect(translator(lang)('console:since', { date: 'X' })).toBe(i18n.getFixedT(lang)('console:since', { date: 'X' }));
    });
  }
});
