/**
 * SmartPost: which contact a letter's address block names. Pure functions over text and a
 * list of candidates loaded once (./service.ts), so a 120-page PDF is matched in memory.
 *
 * A letter is matched only when exactly one candidate's name AND one of their addresses
 * (street with house number, or postal code) appear in the block; anything else stays
 * "nicht zugeordnet" for staff to decide — never guessed.
 */

export type CandidateAddress = { street: string; postalCode: string };

export type Candidate = {
  id: string;
  name: string;
  /** The contact's own postal address or else one of their units' (the recipient list of the post dispatch). */
  postal: { street: string; postalCode: string; city: string } | null;
  preference: 'online' | 'post';
  /** Name variants as they may stand in an address block: "Dr. Heinrich Eigner", "Heinrich Eigner". */
  names: string[];
  /** The contact's own address and the addresses of their units. */
  addresses: CandidateAddress[];
};

/** How many lines from the top of a page count as its address block. */
export const ADDRESS_BLOCK_LINES = 12;

/**
 * Lower case, ß → ss, umlauts spelled out, other accents dropped, "Str." → "strasse",
 * punctuation and hyphens to spaces, single spaces: "Max-Planck-Str. 12" and
 * "max planck straße 12" become the same "max planck strasse 12".
 */
export function normalize(text: string): string {
  return ` ${text.toLowerCase()} `
    .replace(/ß/g, 'ss')
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/str\.?(?=[\s\d,;]|$)/g, 'strasse')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Without any spaces: "maxplanckstrasse12" (so "Max-Planck-Straße" and "Max Planck Str." meet). */
const compact = (text: string) => normalize(text).replace(/ /g, '');

/** The lines of a page's text from the top, trimmed, without empty ones. */
export function blockLines(pageText: string, count = ADDRESS_BLOCK_LINES): string[] {
  return pageText
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .slice(0, count);
}

/** A line that is only a German postal code and a place: "80638 München" (a recipient's last address line). */
const POSTAL_LINE = /^(?:D-?\s?)?\d{5}\s+\p{L}/u;

type Prepared = { candidate: Candidate; names: string[]; streets: string[]; postalCodes: string[] };

/** The candidates prepared once for matching many pages: normalised, indexed by the last word of each name. */
export class Matcher {
  private readonly byLastWord = new Map<string, Prepared[]>();

  constructor(candidates: Candidate[]) {
    for (const candidate of candidates) {
      // Names shorter than 4 letters ("Li") would match too much text to mean anything.
      const names = [...new Set(candidate.names.map(normalize).filter((n) => n.replace(/ /g, '').length >= 4))];
      const prepared: Prepared = {
        candidate,
        names,
        streets: [...new Set(candidate.addresses.map((a) => compact(a.street)).filter((s) => /\d/.test(s) && s.length >= 4))],
        postalCodes: [...new Set(candidate.addresses.map((a) => a.postalCode.trim()).filter((p) => /^\d{4,5}$/.test(p)))],
      };
      for (const name of names) {
        const last = name.slice(name.lastIndexOf(' ') + 1);
        const list = this.byLastWord.get(last) ?? [];
        if (!list.includes(prepared)) list.push(prepared);
        this.byLastWord.set(last, list);
      }
    }
  }

  /** Every candidate whose name and one of whose addresses appear in the block (0, 1 or several). */
  matches(lines: string[]): Candidate[] {
    const normalized = lines.map(normalize);
    const padded = normalized.map((line) => ` ${line} `);
    const compacted = normalized.map((line) => line.replace(/ /g, ''));
    const seen = new Set<Prepared>();
    for (const line of normalized) for (const word of line.split(' ')) for (const p of this.byLastWord.get(word) ?? []) seen.add(p);
    const found: Candidate[] = [];
    for (const p of seen) {
      const named = p.names.some((name) => padded.some((line) => line.includes(` ${name} `)));
      if (!named) continue;
      const street = p.streets.some((s) => compacted.some((line) => containsNotFollowedByDigit(line, s)));
      const postal = p.postalCodes.some((code) => normalized.some((line) => new RegExp(`(^|\\D)${code}(\\D|$)`).test(line)));
      if (street || postal) found.push(p.candidate);
    }
    return found;
  }
}

/** "rosenweg24" is in "rosenweg24" and "rosenweg24a", not in "rosenweg245". */
function containsNotFollowedByDigit(haystack: string, needle: string): boolean {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    if (!/\d/.test(haystack.charAt(at + needle.length))) return true;
  }
  return false;
}

export type PageAnalysis = { lines: string[]; matches: Candidate[]; postalLine: boolean };

/**
 * Analyses the address block of every page. Lines at the top of every page (a letterhead
 * with the Verwaltung's own address) do not start a letter; matching reads the whole block,
 * since letters of one property all carry the same street and postal code.
 */
export function analysePages(pageTexts: string[], matcher: Matcher): PageAnalysis[] {
  const blocks = pageTexts.map((text) => blockLines(text));
  const everywhere = blocks.length > 1 ? new Set(blocks[0].filter((line) => blocks.every((b) => b.includes(line)))) : new Set<string>();
  return blocks.map((lines) => ({
    lines,
    matches: matcher.matches(lines),
    postalLine: lines.some((line) => !everywhere.has(line) && POSTAL_LINE.test(line)),
  }));
}

export type LetterRange = { firstPage: number; lastPage: number; lines: string[]; contact: Candidate | null };

/**
 * "Nach Adressblock": a page whose block names a contact, or carries a recipient's postal
 * line ("80638 München"), starts a new letter; the pages after it belong to that letter.
 * The contact is set only for a unique match. Pages are numbered from 1.
 */
export function splitByAddress(pages: PageAnalysis[]): LetterRange[] {
  const letters: LetterRange[] = [];
  pages.forEach((page, i) => {
    const starts = i === 0 || page.matches.length > 0 || page.postalLine;
    if (starts) letters.push({ firstPage: i + 1, lastPage: i + 1, lines: page.lines, contact: page.matches.length === 1 ? page.matches[0] : null });
    else letters[letters.length - 1].lastPage = i + 1;
  });
  return letters;
}

/** "Feste Seitenzahl je Brief": every `perLetter` pages a letter, its contact from its first page when the text allows it. */
export function splitByPages(pages: PageAnalysis[], perLetter: number): LetterRange[] {
  const letters: LetterRange[] = [];
  for (let first = 0; first < pages.length; first += perLetter) {
    const page = pages[first];
    letters.push({ firstPage: first + 1, lastPage: first + perLetter, lines: page.lines, contact: page.matches.length === 1 ? page.matches[0] : null });
  }
  return letters;
}
