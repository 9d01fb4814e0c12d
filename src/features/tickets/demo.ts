import { berlinYear } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import {
  PropertyStaff,
  Ticket,
  TicketCategory,
  TicketCounter,
  TicketEntry,
  contactDisplayName,
  type CommonArea,
  type Contact,
  type Organization,
  type PortalUser,
  type Property,
  type StaffUser,
  type TicketStatus,
  type Unit,
} from '../../entities/index.ts';

/** The Themen a new Verwaltung starts with (seed 004: topics chosen by the resident); staff edit them. */
export const DEFAULT_TICKET_CATEGORIES = ['Schaden/Reparatur', 'Nebenkosten', 'Schlüssel', 'Allgemeine Frage'];

/** Creates the default Themen of a Verwaltung (persisted with the caller's flush), by name. */
export function seedTicketCategories(tx: Em, organization: Organization, now: Date): Map<string, TicketCategory> {
  return new Map(DEFAULT_TICKET_CATEGORIES.map((name, position) => [name, tx.create(TicketCategory, { organization, name, position, createdAt: now })]));
}

/** The part of the demo world (src/features/demo/seed.ts) the demo Vorgänge need. */
export type DemoTicketWorld = {
  organization: Organization;
  staff: { manager: StaffUser; clerk: StaffUser };
  properties: { maxPlanck: Property; rosenweg: Property };
  units: { wohnung002: Unit };
  reporters: { kristina: { user: PortalUser; contact: Contact }; eigner: { user: PortalUser; contact: Contact } };
};

type DemoTicket = {
  property: Property;
  unit?: Unit;
  area?: CommonArea;
  category: string;
  title: string;
  description: string;
  reporter: { user: PortalUser; contact: Contact };
  status: TicketStatus;
  assignee?: StaffUser;
  daysAgo: number;
  steps: Array<{ kind: 'comment' | 'note' | 'status' | 'assignment'; staff: StaffUser; body?: string; to?: TicketStatus }>;
};

/**
 * A few Vorgänge so the console list and the portal have something to show: an open one
 * with a public comment and an internal note, a closed one, a new one. Numbers start at 1
 * of the current year; the counter is set to match.
 */
export function seedDemoTickets(tx: Em, world: DemoTicketWorld, categories: Map<string, TicketCategory>, now: Date) {
  const { manager, clerk } = world.staff;
  const { kristina, eigner } = world.reporters;
  tx.create(PropertyStaff, { organization: world.organization, property: world.properties.maxPlanck, staffUser: manager });
  const demo: DemoTicket[] = [
    {
      property: world.properties.maxPlanck,
      unit: world.units.wohnung002,
      category: 'Schaden/Reparatur',
      title: 'Wasserhahn in der Küche tropft',
      description: 'Der Wasserhahn an der Spüle tropft seit einer Woche, auch wenn er ganz zugedreht ist.',
      reporter: kristina,
      status: 'done',
      assignee: clerk,
      daysAgo: 40,
      steps: [
        { kind: 'assignment', staff: clerk },
        { kind: 'comment', staff: clerk, body: 'Der Hausmeister kommt am Donnerstag zwischen 8 und 12 Uhr vorbei.' },
        { kind: 'status', staff: clerk, to: 'in_progress' },
        { kind: 'note', staff: clerk, body: 'Dichtung getauscht, Rechnung Hausmeister folgt.' },
        { kind: 'status', staff: clerk, to: 'done' },
      ],
    },
    {
      property: world.properties.maxPlanck,
      area: 'basement',
      category: 'Schaden/Reparatur',
      title: 'Kellertür schließt nicht mehr',
      description: 'Die Tür zum Kellerabgang fällt nicht mehr ins Schloss und steht nachts offen.',
      reporter: kristina,
      status: 'in_progress',
      assignee: manager,
      daysAgo: 3,
      steps: [
        { kind: 'assignment', staff: manager },
        { kind: 'note', staff: manager, body: 'Schlosserei Meier angefragt, Angebot steht aus.' },
        { kind: 'status', staff: manager, to: 'in_progress' },
        { kind: 'comment', staff: manager, body: 'Vielen Dank für den Hinweis. Eine Schlosserei ist beauftragt.' },
      ],
    },
    {
      property: world.properties.rosenweg,
      area: 'outdoor',
      category: 'Allgemeine Frage',
      title: 'Wann wird die Hecke geschnitten?',
      description: 'Die Hecke zum Gehweg ist sehr hoch gewachsen. Ist ein Rückschnitt geplant?',
      reporter: eigner,
      status: 'new',
      daysAgo: 1,
      steps: [],
    },
  ];

  const year = berlinYear(now);
  demo.forEach((spec, index) => {
    const createdAt = new Date(now.getTime() - spec.daysAgo * 86_400_000);
    let at = createdAt.getTime();
    const ticket = tx.create(Ticket, {
      organization: world.organization,
      year,
      number: index + 1,
      property: spec.property,
      unit: spec.unit ?? null,
      commonArea: spec.area ?? null,
      category: categories.get(spec.category)!,
      title: spec.title,
      description: spec.description,
      status: spec.status,
      reporter: spec.reporter.user,
      reporterContact: spec.reporter.contact,
      reporterName: contactDisplayName(spec.reporter.contact),
      assignee: spec.assignee ?? null,
      version: 1 + spec.steps.filter((s) => s.kind === 'status' || s.kind === 'assignment').length,
      lastActivityAt: new Date(at + spec.steps.length * 3_600_000),
      closedAt: spec.status === 'done' ? new Date(at + spec.steps.length * 3_600_000) : null,
      createdAt,
    });
    const entry = (fields: Partial<TicketEntry> & Pick<TicketEntry, 'kind' | 'authorName'>) =>
      tx.create(TicketEntry, { organization: world.organization, ticket, createdAt: new Date(at), ...fields });
    entry({ kind: 'created', authorPortalUser: spec.reporter.user, authorName: spec.reporter.user.name });
    let status: TicketStatus = 'new';
    for (const step of spec.steps) {
      at += 3_600_000;
      const author = { authorStaff: step.staff, authorName: step.staff.name };
      if (step.kind === 'assignment') entry({ kind: 'assignment', ...author, data: { assigneeId: step.staff.id, assigneeName: step.staff.name } });
      if (step.kind === 'comment') entry({ kind: 'comment', ...author, body: step.body });
      if (step.kind === 'note') entry({ kind: 'note', internal: true, ...author, body: step.body });
      if (step.kind === 'status') {
        entry({ kind: 'status', ...author, data: { from: status, to: step.to } });
        status = step.to!;
      }
    }
  });
  tx.create(TicketCounter, { organization: world.organization, year, lastNumber: demo.length });
}
