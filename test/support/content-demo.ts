import { FaqEntry } from '../../src/entities/index.ts';
import { seedDemoBulletin } from '../../src/features/bulletin/demo.ts';
import { seedDemoContactPersons } from '../../src/features/contact-persons/demo.ts';
import { seedDemoFaq } from '../../src/features/faq/demo.ts';
import type { TestApp } from './app.ts';

/**
 * The demo FAQ, Ansprechpartner and notice board posts, seeded into the test database when
 * the demo seeder (src/features/demo/seed.ts) has not already done so: the tests of these
 * features run against the world `npm start` shows, and exercise the demo seeders too.
 */
export async function ensureContentDemo(app: TestApp) {
  const em = app.em();
  if (await em.count(FaqEntry, { question: 'Wie melde ich einen Schaden?' }, { filters: { tenant: false } })) return;
  await em.transactional(async (tx) => {
    const world = { organizations: app.world.organizations, properties: app.world.properties, staff: app.world.staff };
    seedDemoFaq(tx, world);
    seedDemoContactPersons(tx, world);
    seedDemoBulletin(tx, world, app.clock.now());
  });
}
