import { berlinYear } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import {
  PortalUser,
  ServiceProviderMember,
  Ticket,
  TicketCounter,
  TicketEntry,
  contactDisplayName,
  type Contact,
  type Organization,
  type Property,
  type ServiceProvider,
  type TicketCategory,
} from '../../entities/index.ts';

/** The demo login of Hausmeisterservice Huber (README, src/features/demo/seed.ts DEMO_LOGINS). */
export const DEMO_PROVIDER_EMAIL = 'huber@hausmeister-huber.de';

/**
 * Issue 23's demo: Hausmeisterservice Huber serves Max-Planck-Straße 12 and has a login, and
 * Kristina reported "Licht im Treppenhaus defekt" (a common area), ready for staff to forward.
 * Runs after the demo Vorgänge (src/features/tickets/demo.ts): takes the next number.
 */
export function seedDemoOrders(
  tx: Em,
  world: {
    organization: Organization;
    property: Property;
    provider: ServiceProvider;
    reporter: { user: PortalUser; contact: Contact };
    category: TicketCategory;
    passwordHash: string;
  },
  now: Date,
) {
  const { organization, property, provider, reporter } = world;
  provider.properties.add(property);
  const login = tx.create(PortalUser, {
    organization,
    email: DEMO_PROVIDER_EMAIL,
    name: 'Franz Huber',
    passwordHash: world.passwordHash,
    createdAt: now,
    onboardedAt: now,
  });
  tx.create(ServiceProviderMember, { organization, portalUser: login, provider, createdAt: now });

  const year = berlinYear(now);
  // The demo Vorgänge' counter, created in the same unit of work (identity map).
  const counter = tx.getReference(TicketCounter, [organization.id, year] as never) as TicketCounter;
  counter.lastNumber += 1;
  const createdAt = new Date(now.getTime() - 2 * 3_600_000);
  const ticket = tx.create(Ticket, {
    organization,
    year,
    number: counter.lastNumber,
    property,
    commonArea: 'staircase',
    category: world.category,
    title: 'Licht im Treppenhaus defekt',
    description: 'Im Treppenhaus zwischen dem 2. und 3. OG bleibt das Licht aus, auch wenn man den Schalter drückt. Abends ist es dort stockdunkel.',
    status: 'new',
    reporter: reporter.user,
    reporterContact: reporter.contact,
    reporterName: contactDisplayName(reporter.contact),
    lastActivityAt: createdAt,
    createdAt,
  });
  tx.create(TicketEntry, { organization, ticket, kind: 'created', authorPortalUser: reporter.user, authorName: reporter.user.name, createdAt });
}
