import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { Appointment, type Organization, type Property, type StaffUser } from '../../entities/index.ts';
import { addDays, berlinDateTime } from './time.ts';

/**
 * Demo Termine of the Sonnenschein Verwaltung, relative to `now`: an Eigentümerversammlung
 * in Rosenweg 24, a Heizungswartung in Max-Planck-Straße 12, a Sommerfest for all
 * properties, and one past Termin so the archive is not empty. Flushed by the caller.
 * `world` is the object src/features/demo/seed.ts builds (only the parts used here).
 */
export type DemoAppointmentsWorld = {
  organizations: { sonnenschein: Organization };
  staff: { manager: StaffUser };
  properties: { rosenweg: Property; maxPlanck: Property };
};

export function seedDemoAppointments(tx: Em, world: DemoAppointmentsWorld, now = new Date()) {
  const today = berlinDate(now);
  const org = world.organizations.sonnenschein;
  const createdBy = world.staff.manager;
  const make = (fields: {
    title: string;
    description: string;
    location: string;
    day: string;
    start?: string;
    end?: string;
    allDay?: boolean;
    allProperties?: boolean;
    properties?: Property[];
  }) =>
    tx.create(Appointment, {
      organization: org,
      title: fields.title,
      description: fields.description,
      location: fields.location,
      allDay: fields.allDay ?? false,
      startsAt: berlinDateTime(fields.day, fields.allDay ? '00:00' : fields.start!),
      endsAt: fields.allDay ? berlinDateTime(addDays(fields.day, 1), '00:00') : berlinDateTime(fields.day, fields.end ?? fields.start!),
      status: 'published',
      allProperties: fields.allProperties ?? false,
      properties: fields.properties ?? [],
      notifyRecipients: false,
      publishedAt: now,
      createdBy,
      createdAt: now,
      updatedAt: now,
    });

  make({
    title: 'Ordentliche Eigentümerversammlung 2026',
    description:
      'Tagesordnung: Jahresabrechnung und Entlastung des Verwalters, Wirtschaftsplan, Erneuerung der Fassade (Angebote liegen bei).\n\nDie Einladung mit allen Unterlagen finden Sie unter Dokumente. Bitte bringen Sie bei Vertretung eine schriftliche Vollmacht mit.',
    location: 'Gemeinderaum St. Anna, Rosenweg 20',
    day: addDays(today, 21),
    start: '18:30',
    end: '21:00',
    properties: [world.properties.rosenweg],
  });
  make({
    title: 'Jährliche Heizungswartung',
    description:
      'Die Firma Heizung & Sanitär Keller wartet die Heizungsanlage. Zwischen 8 und 12 Uhr kann es kurzzeitig kein warmes Wasser geben. Ein Zugang zu den Wohnungen ist nicht nötig.',
    location: 'Heizungskeller, Max-Planck-Straße 12',
    day: addDays(today, 7),
    start: '08:00',
    end: '12:00',
    properties: [world.properties.maxPlanck],
  });
  make({
    title: 'Sommerfest der Hausverwaltung Sonnenschein',
    description:
      'Wir laden alle Bewohnerinnen und Bewohner herzlich zu unserem Sommerfest ein – mit Grill, Kinderprogramm und Musik. Mehr unter https://www.sonnenschein-hv.de/sommerfest',
    location: 'Innenhof der Verwaltung, Leopoldstraße 40, München',
    day: addDays(today, 60),
    allDay: true,
    allProperties: true,
  });
  make({
    title: 'Treppenhausreinigung – Grundreinigung',
    description: 'Bitte stellen Sie an diesem Tag keine Schuhe oder Gegenstände ins Treppenhaus.',
    location: 'Max-Planck-Straße 12',
    day: addDays(today, -10),
    start: '09:00',
    end: '13:00',
    properties: [world.properties.maxPlanck],
  });
}
