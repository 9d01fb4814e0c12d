/**
 * WCAG 2.x contrast (success criterion 1.4.3, level AA): the primary colour carries white
 * text (buttons, the portal's tab bar), so it needs at least 4.5:1 against white.
 */
export const MIN_CONTRAST = 4.5;

const HEX = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i;

/** "#1F5F99", "1f5f99" or "#15a" as "#1f5f99"; null when it is no hex colour. */
export function normalizeHexColor(value: string): string | null {
  const match = HEX.exec(value.trim());
  if (!match) return null;
  const hex = match[1].toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/** Relative luminance of a #rrggbb colour (WCAG 2.x definition). */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** Contrast ratio of white text on the colour, 1 to 21. */
export function contrastWithWhite(hex: string): number {
  return 1.05 / (relativeLuminance(hex) + 0.05);
}

/**
 * The ratio as shown ("2,9"): cut, not rounded, to one decimal, so a colour just below the
 * limit never reads as "4,5:1" while it is refused.
 */
export function formatRatio(ratio: number, locale = 'de'): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.floor(ratio * 10) / 10);
}
