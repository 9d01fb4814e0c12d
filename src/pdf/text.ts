import type { PDFFont } from 'pdf-lib';

/** Letters without a decomposition that the standard fonts still can show without their stroke. */
const STROKED: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ø: 'O', ø: 'o' };

/**
 * Makes text safe for pdf-lib's standard fonts, which know only WinAnsi (Latin-1 plus a few
 * signs: ä ö ü ß € „ “ – are there). Letters from elsewhere lose their accents (Łukasz,
 * Dvořák); anything else (emoji) becomes "?", so no name or comment can break a PDF.
 * Joiners and variation selectors of emoji are dropped. Tabs become spaces; line breaks too,
 * unless the caller lays out lines itself (`keepLineBreaks`).
 */
export function textSafeFor(font: PDFFont, options: { keepLineBreaks?: boolean } = {}): (value: string) => string {
  const supported = new Set(font.getCharacterSet());
  const one = (char: string) => {
    if (supported.has(char.codePointAt(0)!)) return char;
    if (options.keepLineBreaks && char === '\n') return char;
    if (/[\u200d\ufe00-\ufe0f]|\p{M}/u.test(char)) return '';
    const base = char.normalize('NFD').replace(/\p{M}/gu, '');
    if (base && [...base].every((c) => supported.has(c.codePointAt(0)!))) return base;
    return STROKED[char] ?? '?';
  };
  const spaces = options.keepLineBreaks ? /\t/g : /[\r\n\t]+/g;
  return (value) => [...value.replace(spaces, ' ')].map(one).join('');
}

/** Breaks text into lines that fit `width`: at spaces, an overlong word (a long URL) wherever it must. */
export function wrapText(font: PDFFont, value: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const fits = (text: string) => font.widthOfTextAtSize(text, size) <= width;
  for (let word of value.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    while (!fits(word)) {
      // The longest piece that fits (at least one character), found by halving.
      let [low, high] = [1, word.length - 1];
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (fits(word.slice(0, mid))) low = mid;
        else high = mid - 1;
      }
      const cut = low;
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    line = word;
  }
  if (line) lines.push(line);
  return lines;
}
