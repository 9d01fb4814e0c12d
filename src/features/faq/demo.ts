import type { Em } from '../../db/orm.ts';
import { FaqEntry, type Organization, type Property } from '../../entities/index.ts';

/** What the demo seeders of the content features need of the demo world (src/features/demo/seed.ts). */
export type DemoContentWorld = {
  organizations: { sonnenschein: Organization };
  properties: { rosenweg: Property; maxPlanck: Property; test?: Property; linden?: Property };
};

/** Fragen & Antworten of the demo Verwaltung: some for the whole portfolio, some for Rosenweg 24. */
export function seedDemoFaq(tx: Em, world: DemoContentWorld) {
  const organization = world.organizations.sonnenschein;
  const entries: Array<[Property | null, string, string]> = [
    [
      null,
      'Wie melde ich einen Schaden?',
      'Melden Sie Schäden am einfachsten hier im Portal unter „Anliegen“: Beschreiben Sie kurz, was passiert ist, und fügen Sie ein Foto hinzu. Sie sehen jederzeit, wie weit die Bearbeitung ist.\n\nIn dringenden Fällen (Wasserrohrbruch, Heizungsausfall im Winter) rufen Sie bitte zusätzlich den Notdienst an: 089 555987.',
    ],
    [
      null,
      'Wie erreiche ich die Verwaltung?',
      'Hausverwaltung Sonnenschein GmbH, Leopoldstraße 40, 80802 München.\nTelefon 089 123456-0, E-Mail info@sonnenschein-hv.de\n\nSprechzeiten: Montag bis Donnerstag 9–12 Uhr und 14–16 Uhr, Freitag 9–12 Uhr.',
    ],
    [null, 'Wo finde ich meine Nebenkostenabrechnung?', 'Sobald die Abrechnung erstellt ist, finden Sie sie unter „Dokumente“. Sie erhalten dann eine E-Mail.'],
    [
      world.properties.rosenweg,
      'Wann wird der Müll abgeholt?',
      'Restmüll: dienstags alle zwei Wochen. Biotonne: jeden Freitag. Papier: am ersten Montag im Monat. Gelbe Säcke: mittwochs alle zwei Wochen.\n\nDen Abfuhrkalender der Stadt finden Sie unter https://www.awm-muenchen.de/',
    ],
    [
      world.properties.rosenweg,
      'Wo darf ich mein Fahrrad abstellen?',
      'Im Fahrradkeller (Zugang über den Hof) und an den Bügeln vor dem Haus. Bitte nicht im Treppenhaus.',
    ],
    [world.properties.maxPlanck, 'Wann wird der Müll abgeholt?', 'Restmüll und Biotonne: jeden Donnerstag. Papier: alle zwei Wochen montags.'],
  ];
  const positions = new Map<string, number>();
  for (const [property, question, answer] of entries) {
    const key = property?.id ?? '';
    const position = (positions.get(key) ?? 0) + 1;
    positions.set(key, position);
    tx.create(FaqEntry, { organization, property, question, answer, position });
  }
}
