import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { renderMail } from '../../src/features/mail/outbox.ts';
import { digestText } from '../../src/features/notifications/digest.ts';
import { VIEWS_DIR } from '../../src/http/views.ts';
import { MAIL_SAMPLES } from './mail-samples.ts';

/**
 * The text part of every mail (src/features/mail/text.ts derives it from the HTML body):
 * rendered with sample data, read line by line. Each block and each <br>-separated line of
 * the HTML must stand on a line of its own (no "Zählerablesung mit MailWann: …", no
 * "Leopoldstraße 4080802 München"), every link as its URL.
 */
const ORGANIZATION = { name: 'Hausverwaltung Sonnenschein GmbH' };
const render = (template: string, locale = 'de') => renderMail({ template, data: MAIL_SAMPLES[template], organization: ORGANIZATION, locale });
const linesOf = (text: string) => text.split('\n');

/** The lines a reader sees in the HTML body: each p, heading and list item, split at <br>, without the button's fallback. */
function htmlLines(html: string): string[] {
  const $ = cheerio.load(html);
  const body = $('td').eq(1);
  const lines: string[] = [];
  body
    .find('p, h2, h3, li')
    .not('.link-fallback')
    .each((_, element) => {
      const inner = $(element).html() ?? '';
      for (const part of inner.split(/<br\s*\/?>/i)) {
        const line = cheerio.load(`<div>${part}</div>`)('div').text().replace(/\s+/g, ' ').trim();
        if (line) lines.push(line);
      }
    });
  return lines;
}

const templates = readdirSync(path.join(VIEWS_DIR, 'mail'))
  .filter((file) => file.endsWith('.html.eta') && !file.startsWith('_') && file !== 'layout.html.eta')
  .map((file) => file.replace(/\.html\.eta$/, ''));

describe('plain-text part of the mails', () => {
  it('has sample data for every mail template (a new template needs its sample in mail-samples.ts)', () => {
    expect(templates.sort()).toEqual(Object.keys(MAIL_SAMPLES).sort());
    // The text part comes from the HTML template alone: no second template to drift apart.
    expect(readdirSync(path.join(VIEWS_DIR, 'mail')).filter((file) => file.endsWith('.text.eta'))).toEqual([]);
  });

  for (const template of Object.keys(MAIL_SAMPLES)) {
    it(`${template}: every line of the HTML on a line of its own, links as URLs, the footer after "-- "`, () => {
      const { text, html } = render(template);
      const lines = linesOf(text);
      for (const expected of htmlLines(html)) {
        expect(
          lines.some((line) => line.replace(/^- /, '').trim().startsWith(expected)),
          `"${expected}" starts a line of:\n${text}`,
        ).toBe(true);
      }
      const $ = cheerio.load(html);
      for (const href of $('td')
        .eq(1)
        .find('a[href]')
        .map((_, a) => a.attribs.href)
        .get()) {
        expect(
          lines.some((line) => line.endsWith(href)),
          `${href} ends a line`,
        ).toBe(true);
      }
      expect(text).not.toMatch(/<[a-z/][^>]*>/i);
      expect(text).not.toContain('Falls der Button nicht funktioniert');
      expect(text).not.toMatch(/\n{3,}/);
      expect(lines.slice(-3)).toEqual(['-- ', 'Diese E-Mail wurde automatisch von Hausverwaltung Sonnenschein GmbH über Hausportal versendet.', '']);
    });
  }

  it('appointment: title, "Wann" and "Ort" on lines of their own, the description keeps its line break', () => {
    const lines = linesOf(render('appointment').text);
    const at = lines.indexOf('Zählerablesung mit Mail');
    expect(lines.slice(at, at + 3)).toEqual(['Zählerablesung mit Mail', 'Wann: Di., 15.12.2026, 09:00–12:00', 'Ort: Keller, Zählerraum']);
    expect(lines).toContain('Bitte Zugang zum Keller ermöglichen.');
    expect(lines).toContain('Danke!');
    expect(lines).toContain('Termin im Portal ansehen: https://hausportal.example/portal/liegenschaften/p1/termine/a1');
  });

  it('contact invitation: the sender address with its line breaks, the code on its own line', () => {
    const lines = linesOf(render('contact-invitation').text);
    const at = lines.indexOf('Leopoldstraße 40');
    expect(lines.slice(at - 1, at + 2)).toEqual(['Hausverwaltung Sonnenschein GmbH', 'Leopoldstraße 40', '80802 München']);
    expect(lines).toContain('ABCD-EFGH-JKLM');
    expect(lines).toContain('Jetzt im Kundenportal registrieren: https://hausportal.example/portal/registrieren?code=ABCD-EFGH-JKLM');
  });

  it('notification digest: a heading per property and per kind, one item per line, the type on the next', () => {
    const lines = linesOf(render('notification-digest').text);
    expect(render('notification-digest').subject).toBe('Ihre tägliche Zusammenfassung aus dem Kundenportal');
    const at = lines.indexOf('- Protokoll Eigentümerversammlung: https://hausportal.example/d/1');
    expect(lines.indexOf('Rosenweg 24')).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(lines.indexOf('Rosenweg 24'));
    expect(lines[at + 1].trim()).toBe('Eigentümerversammlung');
    expect(lines).toContain('- Wasserabstellung am Freitag: https://hausportal.example/m/1');
    expect(lines).toContain('- Wartung Aufzug: https://hausportal.example/d/2');
  });

  it('forwarding to a Dienstleister: heading, place and Thema, the reporter’s name, phone and e-mail each on a line', () => {
    const lines = linesOf(render('ticket-forward').text);
    expect(lines).toContain('2026-00004 · Heizung fällt aus');
    const at = lines.indexOf('Ort: Max-Planck-Straße 12, Einheit Wohnung 002');
    expect(lines[at + 1]).toBe('Thema: Schaden/Reparatur');
    const reporter = lines.indexOf('Kristina Maiblume');
    expect(lines.slice(reporter, reporter + 3)).toEqual(['Kristina Maiblume', 'Telefon: 0151 2345678', 'E-Mail: kristina.maiblume@example.de']);
  });

  it('reads right in English too', () => {
    const lines = linesOf(render('appointment', 'en').text);
    expect(lines[0]).toBe('Hello Kristina Maiblume,');
    expect(lines.some((line) => /^When: Di\., 15\.12\.2026/.test(line))).toBe(true);
  });

  // The digest writes its text part itself (100,000 mails a morning); it must say what the
  // derivation from its HTML says, in every shape a digest takes.
  const awkward = {
    name: 'Dr.  Heinrich & <Eigner>',
    day: '2026-12-14',
    count: 4,
    link: 'https://hausportal.example/portal',
    groups: [
      {
        propertyName: 'Rosenweg 24 & Söhne',
        kinds: [
          { label: 'Mitteilungen', items: [{ title: 'Wasser  abgestellt <heute>\nab 8 Uhr', link: 'https://hausportal.example/m/1?a=1&b=2', detail: null }] },
          { label: 'Dokumente', items: [{ title: 'Protokoll „ETV“ 2026', link: 'https://hausportal.example/d/1', detail: 'Eigentümer & Beirat' }] },
        ],
      },
      { propertyName: null, kinds: [{ label: 'Vorgänge', items: [{ title: '2026-00042 Heizung', link: 'https://hausportal.example/v/42', detail: null }] }] },
    ],
  };
  for (const locale of ['de', 'en'] as const) {
    for (const context of ['daily', 'weekly'] as const) {
      it(`notification digest (${locale}, ${context}): the text written directly equals the text derived from the HTML`, () => {
        const data = { ...awkward, context };
        const mail = {
          template: 'notification-digest',
          data,
          organization: ORGANIZATION,
          locale,
          notificationFooter: {
            unsubscribeLink: 'https://hausportal.example/abmelden/x?y=1&z=2',
            settingsLink: 'https://hausportal.example/s',
            kindLabel: 'Tägliche „Zusammenfassung“',
          },
        };
        const derived = renderMail(mail).text;
        const written = renderMail({ ...mail, text: (t) => digestText(t, data, ORGANIZATION.name) }).text;
        expect(written).toBe(derived);
        expect(derived).toContain('Rosenweg 24 & Söhne');
      });
    }
  }
});
