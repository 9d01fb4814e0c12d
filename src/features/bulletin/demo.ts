import type { Em } from '../../db/orm.ts';
import { BulletinPost, type StaffUser } from '../../entities/index.ts';
import type { DemoContentWorld } from '../faq/demo.ts';

/** A notice board post per main demo property (no mails: the demo starts with an empty outbox). */
export function seedDemoBulletin(tx: Em, world: DemoContentWorld & { staff: { manager: StaffUser } }, now = new Date()) {
  const organization = world.organizations.sonnenschein;
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  const posts = [
    [
      world.properties.rosenweg,
      'Treppenhausreinigung im Dezember',
      'Die Treppenhausreinigung findet im Dezember ausnahmsweise donnerstags statt. Bitte stellen Sie an diesen Tagen keine Schuhe und Kinderwagen ins Treppenhaus.\n\nVielen Dank für Ihr Verständnis!',
      3,
    ],
    [
      world.properties.maxPlanck,
      'Fahrradkeller wird aufgeräumt',
      'Am kommenden Samstag wird der Fahrradkeller aufgeräumt. Bitte kennzeichnen Sie Ihr Fahrrad bis Freitag mit einem Zettel mit Ihrem Namen. Nicht gekennzeichnete Fahrräder werden für vier Wochen eingelagert und danach dem Fundbüro übergeben.',
      5,
    ],
    ...(world.properties.linden
      ? [
          [
            world.properties.linden,
            'Gartenpflege im Frühjahr',
            'Die Gartenpflege beginnt im März. Wer Ideen für die Bepflanzung der Gemeinschaftsbeete hat, meldet sich gern bei der Verwaltung.',
            10,
          ] as const,
        ]
      : []),
    ...(world.properties.test
      ? [
          [
            world.properties.test,
            'Willkommen am Schwarzen Brett',
            'Hier finden Sie Aushänge Ihrer Verwaltung für Ihr Haus, zum Beispiel zu Reinigung, Wartungen und Hausordnung.',
            1,
          ] as const,
        ]
      : []),
  ] as const;
  for (const [property, title, body, age] of posts) {
    tx.create(BulletinPost, {
      organization,
      property,
      title,
      body,
      status: 'published',
      publishedAt: daysAgo(age),
      createdBy: world.staff.manager,
      createdAt: daysAgo(age),
    });
  }
}
