import { contactDisplayName } from '../entities/contact.ts';
import { dateTimeFormat, numberFormat } from '../intl.ts';
import { photoUrl } from '../features/profile/photo.ts';
import { contractRoleOf } from '../features/access/service.ts';

/** Small formatting helpers available in every template as `it.<name>`. */
const dateFormat = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });
const germanDateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const countFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 0 });
const areaFormat = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
// http(s) URLs up to whitespace or an angle bracket; trailing punctuation belongs to the sentence.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** Escapes one line of plain text and turns its http(s) URLs into links. */
function linkify(line: string): string {
  let out = '';
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = url.match(TRAILING_PUNCTUATION)?.[0] ?? '';
    // Keep a closing bracket that has its opening one inside the URL (Wikipedia-style links).
    const cut = trailing.startsWith(')') && url.includes('(') ? trailing.slice(1) : trailing;
    url = url.slice(0, url.length - cut.length);
    out += escapeHtml(line.slice(last, match.index)) + `<a href="${escapeHtml(url)}" rel="noopener nofollow">${escapeHtml(url)}</a>`;
    last = match.index + url.length;
  }
  return out + escapeHtml(line.slice(last));
}

/**
 * Plain text as safe HTML: everything escaped, blank-line separated paragraphs as <p>,
 * single line breaks as <br>, http(s) URLs as links. Use with <%~ (it returns HTML); it is
 * the one way user-written text (Mitteilungen, Termine, Schwarzes Brett) reaches a page.
 */
export function richText(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n\s*/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${paragraph.split('\n').map(linkify).join('<br>\n')}</p>`)
    .join('\n');
}

export const helpers = {
  contactName: contactDisplayName,
  /** A contract's role for one of its contacts, console:contractKinds.<role>: "Gewerbe" for a company's commercial tenancy (src/features/access/service.ts). */
  contractRole: contractRoleOf,
  /** Where a page finds a login's profile photo, or null (src/features/profile/photo.ts; who may see it: ./visibility.ts). */
  photoUrl,
  richText,
  /** Intl formatters built once per locale and options (src/intl.ts), for templates that format in loops. */
  dateTimeFormat,
  numberFormat,
  /** 23.11.2026; accepts Date or YYYY-MM-DD (a calendar day). */
  formatDate(value: Date | string | null | undefined): string {
    if (!value) return '';
    if (typeof value === 'string') {
      const [y, m, d] = value.split('-');
      return `${d}.${m}.${y}`;
    }
    return dateFormat.format(value);
  },
  formatDateTime(value: Date | null | undefined): string {
    return value ? germanDateTime.format(value) : '';
  },
  /** 100.000: a count of rows (the estimate of a long list, views/shared/_pagination.eta). */
  formatCount(value: number): string {
    return countFormat.format(value);
  },
  formatArea(value: number | null | undefined): string {
    return value == null ? '' : `${areaFormat.format(value)} m²`;
  },
  /** The one way to build element ids, so fragments and out-of-band swaps agree. */
  domId(kind: string, id: string): string {
    return `${kind}-${id}`;
  },
  /** Query string for paging/search links, dropping empty values. */
  query(params: Record<string, string | number | undefined | null>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  },
};
