import { describe, expect, it } from 'vitest';
import { analysePages, Matcher, normalize, splitByAddress, type Candidate } from '../../src/features/serial-letters/matching.ts';

// SmartPost matching (src/features/serial-letters/matching.ts): exactly one contact or none.

const candidate = (id: string, names: string[], street: string, postalCode: string): Candidate => ({
  id,
  name: names[0],
  postal: { street, postalCode, city: 'München' },
  preference: 'online',
  names,
  addresses: [{ street, postalCode }],
});

const kristina = candidate('k', ['Kristina Maiblume'], 'Max-Planck-Straße 12', '80638');
const eigner = candidate('e', ['Dr. Heinrich Eigner', 'Heinrich Eigner'], 'Isarring 8', '81925');
const anna = candidate('a', ['Anna Müller'], 'Rosenweg 24', '81675');
const annaToo = candidate('a2', ['Anna Müller'], 'Rosenweg 24', '81675');
const johanna = candidate('j', ['Johanna Müller'], 'Lindenallee 5', '82031');

describe('normalize', () => {
  it('treats case, ß/ss, umlauts, hyphens and "Str." alike', () => {
    expect(normalize('Max-Planck-Str. 12')).toBe(normalize('max planck straße 12'));
    expect(normalize('Hauptstr.3')).toBe('hauptstrasse3');
    expect(normalize('  Jürgen   Weiß ')).toBe('juergen weiss');
    expect(normalize('Strunz')).toBe('strunz');
  });
});

describe('Matcher', () => {
  const matcher = new Matcher([kristina, eigner, anna, johanna]);

  it('needs the name and one address (street with number, or postal code)', () => {
    expect(matcher.matches(['Frau', 'Kristina Maiblume', 'Max-Planck-Str. 12', '80638 München'])).toEqual([kristina]);
    expect(matcher.matches(['Herrn Dr. Heinrich Eigner', 'Postfach 12 34', '81925 München'])).toEqual([eigner]);
    expect(matcher.matches(['HEINRICH EIGNER', 'Isarring 8'])).toEqual([eigner]);
    // The name alone, or the address alone, is not enough.
    expect(matcher.matches(['Kristina Maiblume', 'Goethestraße 1', '10115 Berlin'])).toEqual([]);
    expect(matcher.matches(['Familie Maiblume-Schmidt', 'Max-Planck-Straße 12', '80638 München'])).toEqual([]);
  });

  it('matches whole words only: "Anna Müller" is not inside "Johanna Müller"', () => {
    expect(matcher.matches(['Johanna Müller', 'Lindenallee 5', '82031 Grünwald'])).toEqual([johanna]);
  });

  it('does not guess between two contacts who both fit', () => {
    const twice = new Matcher([anna, annaToo]);
    expect(twice.matches(['Anna Müller', 'Rosenweg 24', '81675 München'])).toHaveLength(2);
    const [letter] = splitByAddress(analysePages(['Anna Müller\nRosenweg 24\n81675 München\n'], twice));
    expect(letter.contact).toBeNull();
  });
});

describe('splitByAddress', () => {
  it('starts a letter at every named contact or recipient postal line; a letterhead on every page starts nothing', () => {
    const head = 'Hausverwaltung Sonnenschein · 80331 München\n80331 München\n';
    const pages = [
      `${head}Kristina Maiblume\nMax-Planck-Straße 12\n80638 München\nText`,
      `${head}Seite 2`,
      `${head}Erika Mustermann\nUnbekannte Gasse 5\n12345 Nirgendwo\nText`,
      `${head}Herrn Dr. Heinrich Eigner\nIsarring 8\n81925 München`,
      `${head}Seite 2`,
      `${head}Seite 3`,
    ];
    const letters = splitByAddress(analysePages(pages, new Matcher([kristina, eigner])));
    expect(letters.map((l) => [l.firstPage, l.lastPage, l.contact?.id ?? null])).toEqual([
      [1, 2, 'k'],
      [3, 3, null],
      [4, 6, 'e'],
    ]);
  });
});
