import { compile, type FormatCallback } from 'html-to-text';

/**
 * The plain-text part of a mail, derived from its HTML body (views/mail/<template>.html.eta),
 * so both parts say the same and the text keeps the blocks the HTML has: paragraphs and
 * headings apart by a blank line, <br> as a line break (label and value pairs, addresses),
 * list items on their own lines, links as their URLs. Lines are not wrapped (mail clients do).
 *
 * Links read "Termin ansehen: https://…", a bare URL once; the button's fallback paragraph
 * ("Falls der Button nicht funktioniert …", views/mail/_button.html.eta, class link-fallback)
 * repeats the button's URL for HTML readers only and is left out.
 */
const labelledLink: FormatCallback = (elem, walk, builder) => {
  const href = (elem.attribs?.href ?? '').replace(/^mailto:/, '');
  let label = '';
  builder.pushWordTransform((word) => {
    label += word;
    return word;
  });
  walk(elem.children, builder);
  builder.popWordTransform();
  if (!href || href === label) {
    if (!label) builder.addInline(href, { noWordTransform: true });
    return;
  }
  builder.addInline(label ? `: ${href}` : href, { noWordTransform: true });
};

const convert = compile({
  wordwrap: false,
  formatters: { labelledLink },
  selectors: [
    { selector: 'a', format: 'labelledLink' },
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 2 } },
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 2 } },
    // A sub-heading stands right above its text ("Beschreibung" and the description).
    { selector: 'h3', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'img', format: 'skip' },
    { selector: '.link-fallback', format: 'skip' },
  ],
});

/** The text of a mail body's HTML (without the layout), blocks and line breaks kept. */
export function mailText(bodyHtml: string): string {
  return convert(bodyHtml).trim();
}
