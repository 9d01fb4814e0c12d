import { contactDisplayName } from '../entities/contact.ts';

/** Small formatting helpers available in every template as `it.<name>`. */
const dateFormat = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const areaFormat = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

export const helpers = {
  contactName: contactDisplayName,
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
    return value ? dateTimeFormat.format(value) : '';
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
