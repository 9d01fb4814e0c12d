import type { Em } from '../../src/db/orm.ts';
import { Contact, Organization, PortalUser, Property, StaffUser, Unit } from '../../src/entities/index.ts';
import { DEMO_PASSWORD } from '../../src/features/demo/seed.ts';

/**
 * The named demo world (src/features/demo/seed.ts) as the tests know it: looked up by the
 * names the help articles use, so a cloned template database works like a fresh seed.
 */
export async function loadWorld(em: Em) {
  const all = { filters: { tenant: false } } as const;
  const org = (name: string) => em.findOneOrFail(Organization, { name });
  const property = (name: string) => em.findOneOrFail(Property, { name }, all);
  const staff = (email: string) => em.findOneOrFail(StaffUser, { email }, all);
  const portalUser = (email: string) => em.findOneOrFail(PortalUser, { email }, all);
  const contact = (lastName: string) => em.findOneOrFail(Contact, { lastName }, all);
  const sonnenschein = await org('Hausverwaltung Sonnenschein GmbH');
  const nordhaus = await org('Nordhaus Immobilienverwaltung KG');
  const maxPlanck = await property('Max-Planck-Straße 12');
  return {
    password: DEMO_PASSWORD,
    organizations: { sonnenschein, nordhaus },
    staff: {
      manager: await staff('verwalter@sonnenschein-hv.de'),
      clerk: await staff('sachbearbeitung@sonnenschein-hv.de'),
      nordAdmin: await staff('verwalter@nordhaus-verwaltung.de'),
    },
    properties: {
      test: await property('TESTLIEGENSCHAFT'),
      rosenweg: await property('Rosenweg 24'),
      maxPlanck,
      hafenstrasse: await property('Hafenstraße 9'),
    },
    units: { wohnung002: await em.findOneOrFail(Unit, { property: maxPlanck, number: 'Wohnung 002' }, all) },
    contacts: {
      kristina: await contact('Maiblume'),
      eigner: await contact('Eigner'),
      schulz: await contact('Schulz'),
      hoffmann: await contact('Hoffmann'),
      demir: await contact('Demir'),
      friesen: await contact('Friesen'),
    },
    portalUsers: {
      kristina: await portalUser('kristina.maiblume@example.de'),
      eigner: await portalUser('heinrich.eigner@example.de'),
      frieda: await portalUser('frieda.friesen@example.de'),
    },
  };
}

export type World = Awaited<ReturnType<typeof loadWorld>>;
