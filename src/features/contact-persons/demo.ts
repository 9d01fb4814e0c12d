import type { Em } from '../../db/orm.ts';
import { ContactPerson } from '../../entities/index.ts';
import type { DemoContentWorld } from '../faq/demo.ts';

/** Ansprechpartner of the demo Verwaltung: the Objektbetreuerin for all, the Hausmeister of Rosenweg 24. */
export function seedDemoContactPersons(tx: Em, world: DemoContentWorld) {
  const organization = world.organizations.sonnenschein;
  const { rosenweg, maxPlanck } = world.properties;
  tx.create(ContactPerson, {
    organization,
    property: null,
    name: 'Sabine Sachbearbeiter',
    role: 'Objektbetreuung',
    phone: '089 123456-21',
    email: 'sachbearbeitung@sonnenschein-hv.de',
    position: 1,
  });
  tx.create(ContactPerson, {
    organization,
    property: null,
    name: 'Heizung & Sanitär Keller',
    role: 'Notdienst Heizung und Sanitär',
    phone: '089 555987',
    email: 'notdienst@keller-hs.de',
    position: 2,
  });
  tx.create(ContactPerson, {
    organization,
    property: rosenweg,
    name: 'Hausmeisterservice Huber',
    role: 'Hausmeister',
    phone: '089 555123',
    email: 'service@hausmeister-huber.de',
    position: 1,
  });
  tx.create(ContactPerson, { organization, property: maxPlanck, name: 'Josef Brandl', role: 'Hausmeister', phone: '0170 1234567', email: null, position: 1 });
}
