import { randomUUID } from 'node:crypto';
import type { Em } from '../../db/orm.ts';
import { Announcement, type Organization, type Property, type StaffUser } from '../../entities/index.ts';

/** The part of the demo world (src/features/demo/seed.ts) the Mitteilungen need. */
export type DemoAnnouncementWorld = {
  organizations: { sonnenschein: Organization };
  staff: { manager: StaffUser };
  properties: { test: Property; rosenweg: Property; maxPlanck: Property };
};

const DAY = 24 * 60 * 60 * 1000;

/** Demo Mitteilungen of the Sonnenschein Verwaltung: three published, one draft. Flushed by the caller. */
export function seedDemoAnnouncements(tx: Em, world: DemoAnnouncementWorld, now = new Date()): Announcement[] {
  const { sonnenschein } = world.organizations;
  const { manager } = world.staff;
  const { maxPlanck, rosenweg } = world.properties;
  const make = (title: string, body: string, daysAgo: number | null, targets: Property[] | 'all') => {
    const at = new Date(now.getTime() - (daysAgo ?? 1) * DAY);
    return tx.create(Announcement, {
      id: randomUUID(),
      organization: sonnenschein,
      title,
      body,
      status: daysAgo === null ? 'draft' : 'published',
      publishedAt: daysAgo === null ? null : at,
      allProperties: targets === 'all',
      // The published ones are on the demo's Hausaushang of Rosenweg 24 (src/features/displays/demo.ts).
      showOnDisplay: daysAgo !== null,
      properties: targets === 'all' ? [] : targets,
      createdBy: manager,
      createdAt: at,
      updatedAt: at,
    });
  };
  return [
    make(
      'Willkommen im Kundenportal',
      'Liebe Bewohnerinnen und Bewohner,\n\nab sofort finden Sie hier alle Mitteilungen, Termine und Dokumente Ihrer Liegenschaft an einem Ort. ' +
        'Bei Fragen erreichen Sie uns wie gewohnt telefonisch unter 089 123456-0 oder per E-Mail an info@sonnenschein-hv.de.\n\n' +
        'Ihre Hausverwaltung Sonnenschein GmbH',
      30,
      'all',
    ),
    make(
      'Wartung der Heizungsanlage',
      'Sehr geehrte Mieterinnen und Mieter,\n\nam kommenden Dienstag zwischen 8:00 und 12:00 Uhr wartet die Firma Heizung & Sanitär Keller die Heizungsanlage. ' +
        'In dieser Zeit steht kein Warmwasser zur Verfügung.\n\nBitte sorgen Sie dafür, dass die Heizkörper in Ihrer Wohnung zugänglich sind.\n\n' +
        'Vielen Dank für Ihr Verständnis!',
      3,
      [maxPlanck],
    ),
    make(
      'Treppenhausreinigung',
      'Liebe Eigentümerinnen und Eigentümer,\n\nab dem 1. des nächsten Monats übernimmt der Hausmeisterservice Huber die Reinigung des Treppenhauses, ' +
        'jeweils mittwochs ab 9:00 Uhr.\nDen Reinigungsplan finden Sie unter https://www.sonnenschein-hv.de/reinigungsplan.\n\n' +
        'Bitte stellen Sie an diesen Tagen keine Schuhe oder Gegenstände in den Flur.',
      7,
      [rosenweg],
    ),
    make('Ablesung der Heizkostenverteiler', 'Im Januar werden die Heizkostenverteiler abgelesen. Den genauen Termin teilen wir Ihnen rechtzeitig mit.', null, [
      maxPlanck,
      rosenweg,
    ]),
  ];
}
