import { seedDemoCommercial } from '../commercial/demo.ts';
import { addDays, berlinDate } from '../../clock.ts';
import { whileHoldingAdvisoryLock } from '../../db/advisory-lock.ts';
import { isEmbedded, type Em } from '../../db/orm.ts';
import { hashPassword } from '../../auth/password.ts';
import { hashApiKey } from '../api-keys/service.ts';
import {
  Address,
  ApiKey,
  Contact,
  Contract,
  Organization,
  PortalUser,
  Property,
  ServiceProvider,
  StaffUser,
  Unit,
  type ContractKind,
  type UnitKind,
} from '../../entities/index.ts';
import { seedDemoAnnouncements } from '../announcements/demo.ts';
import { seedDemoAppointments } from '../appointments/demo.ts';
import { seedDemoBulletin } from '../bulletin/demo.ts';
import { seedDemoCommunity } from '../community/demo.ts';
import { seedDemoContactPersons } from '../contact-persons/demo.ts';
import { seedDemoFaq } from '../faq/demo.ts';
import { seedDemoDocuments, seedDocumentTypes } from '../documents/demo.ts';
import { seedDemoInvitations, type DemoSeedOptions } from '../invitations/demo.ts';
import { seedDemoTickets, seedTicketCategories } from '../tickets/demo.ts';
import { seedDemoAccounting } from '../reports/demo.ts';
import { seedDemoBookings } from '../bookings/demo.ts';
import { seedDemoDisplays } from '../displays/demo.ts';
import { seedDemoOrders } from '../orders/demo.ts';

/**
 * The demo world: the places and people of the help articles (seeds 000–004), shared by
 * `npm start` on an empty database and by the tests (test/support/world.ts).
 * Passwords are for development only.
 */
export const DEMO_PASSWORD = 'hausportal-demo';
export const DEMO_API_KEY = 'hp_demo_0123456789abcdef0123456789abcdef';

export const DEMO_LOGINS = {
  password: DEMO_PASSWORD,
  accounts: [
    { area: 'console', email: 'verwalter@sonnenschein-hv.de', who: 'Max Verwalter, Administrator (Sonnenschein)' },
    { area: 'console', email: 'sachbearbeitung@sonnenschein-hv.de', who: 'Sabine Sachbearbeiter, Mitarbeiterin (Sonnenschein)' },
    { area: 'console', email: 'verwalter@nordhaus-verwaltung.de', who: 'Nora Nordmann, Administratorin (zweite Verwaltung)' },
    { area: 'portal', email: 'kristina.maiblume@example.de', who: 'Kristina Maiblume, Mieterin Wohnung 002' },
    { area: 'portal', email: 'heinrich.eigner@example.de', who: 'Dr. Heinrich Eigner, Eigentümer in zwei Liegenschaften' },
    { area: 'portal', email: 'huber@hausmeister-huber.de', who: 'Franz Huber, Hausmeisterservice Huber (Dienstleister, Aufträge)' },
  ],
};

function firstOfNextMonth(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

type PersonInput = { salutation: 'frau' | 'herr'; firstName: string; lastName: string; email?: string; phone?: string; title?: string };

/**
 * Seeds the demo world into an empty database. Returns false when there was data already.
 * On PostgreSQL the check and the seed run under an advisory lock, so that of two instances
 * starting on an empty database the second waits and then finds the world there; the
 * embedded database belongs to one process and needs no lock.
 */
export async function seedDemoIfEmpty(em: Em, now = new Date(), options: DemoSeedOptions = {}): Promise<boolean> {
  const seedIfEmpty = async () => {
    if ((await em.count(Organization, {})) > 0) return false;
    await seedDemo(em, now, options);
    return true;
  };
  return isEmbedded(em) ? seedIfEmpty() : whileHoldingAdvisoryLock(em, 'hausportal:startup:seed-demo', seedIfEmpty);
}

export async function seedDemo(em: Em, now = new Date(), options: DemoSeedOptions = {}) {
  const today = berlinDate(now);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let externalCounter = 1000;
  const ext = (prefix: string) => `${prefix}-${++externalCounter}`;

  return em.transactional(async (tx) => {
    const sonnenschein = tx.create(Organization, {
      name: 'Hausverwaltung Sonnenschein GmbH',
      street: 'Leopoldstraße 40',
      postalCode: '80802',
      city: 'München',
      email: 'info@sonnenschein-hv.de',
      phone: '089 123456-0',
      // Rollen & Zugriffsrechte (seed 002): Peter Schulz (starts next month) and Aylin Demir
      // (moved out 45 days ago) fall inside these windows and can be invited.
      preContractAccessEnabled: true,
      preContractAccessDays: 30,
      postContractAccessEnabled: true,
      postContractAccessDays: 60,
      // Community and Buchungen (seed 001), chosen for Max-Planck-Straße 12 below.
      communityEnabled: true,
      directMessagesEnabled: true,
      neighbourProfileEnabled: true,
      bookingsEnabled: true,
      createdAt: now,
    });
    const nordhaus = tx.create(Organization, {
      name: 'Nordhaus Immobilienverwaltung KG',
      street: 'Am Sandtorkai 5',
      postalCode: '20457',
      city: 'Hamburg',
      email: 'kontakt@nordhaus-verwaltung.de',
      createdAt: now,
    });

    const staff = (organization: Organization, name: string, email: string, role: 'admin' | 'staff') =>
      tx.create(StaffUser, { organization, name, email, role, passwordHash, createdAt: now });
    const manager = staff(sonnenschein, 'Max Verwalter', 'verwalter@sonnenschein-hv.de', 'admin');
    const clerk = staff(sonnenschein, 'Sabine Sachbearbeiter', 'sachbearbeitung@sonnenschein-hv.de', 'staff');
    const nordAdmin = staff(nordhaus, 'Nora Nordmann', 'verwalter@nordhaus-verwaltung.de', 'admin');

    const property = (organization: Organization, name: string, kind: 'weg' | 'rental' | 'mixed', addresses: [string, string, string, string][]) => {
      const p = tx.create(Property, { organization, name, kind, externalId: ext('LG'), createdAt: now, updatedAt: now });
      const created = addresses.map(([street, houseNumber, postalCode, city]) =>
        tx.create(Address, { organization, property: p, street, houseNumber, postalCode, city, externalId: ext('AD'), createdAt: now }),
      );
      return { property: p, addresses: created };
    };
    const unit = (
      organization: Organization,
      where: { property: Property; addresses: Address[] },
      number: string,
      kind: UnitKind,
      areaSqm: number | null,
      floor?: string,
      addressIndex = 0,
    ) =>
      tx.create(Unit, {
        organization,
        property: where.property,
        address: where.addresses[addressIndex] ?? null,
        number,
        kind,
        areaSqm,
        floor: floor ?? null,
        externalId: ext('EH'),
        createdAt: now,
      });
    const person = (
      organization: Organization,
      p: PersonInput & { street?: string; postalCode?: string; city?: string; contactPreference?: 'online' | 'post' },
    ) =>
      tx.create(Contact, {
        organization,
        type: 'person',
        salutation: p.salutation,
        title: p.title ?? null,
        firstName: p.firstName,
        lastName: p.lastName,
        email: p.email ?? null,
        phone: p.phone ?? null,
        street: p.street ?? null,
        postalCode: p.postalCode ?? null,
        city: p.city ?? null,
        contactPreference: p.contactPreference ?? 'online',
        externalId: ext('KT'),
        createdAt: now,
        updatedAt: now,
      });
    const contract = (organization: Organization, kind: ContractKind, u: Unit, contacts: Contact[], startsOn: string, endsOn: string | null = null) =>
      tx.create(Contract, {
        organization,
        kind,
        unit: u,
        contacts,
        startsOn,
        endsOn,
        contractNumber: `${kind === 'rental' ? 'MV' : 'ET'}-${++externalCounter}`,
        externalId: ext('VT'),
        createdAt: now,
      });

    // --- Sonnenschein: the Verwaltung of the help articles -----------------------------
    const test = property(sonnenschein, 'TESTLIEGENSCHAFT', 'rental', [['Teststraße', '1', '80331', 'München']]);
    const rosenweg = property(sonnenschein, 'Rosenweg 24', 'weg', [['Rosenweg', '24', '81675', 'München']]);
    const maxPlanck = property(sonnenschein, 'Max-Planck-Straße 12', 'rental', [
      ['Max-Planck-Straße', '12', '80638', 'München'],
      ['Max-Planck-Straße', '12a', '80638', 'München'],
    ]);
    maxPlanck.property.communityEnabled = true;
    maxPlanck.property.bookingsEnabled = true;
    const linden = property(sonnenschein, 'Lindenallee 5–7', 'mixed', [
      ['Lindenallee', '5', '82031', 'Grünwald'],
      ['Lindenallee', '7', '82031', 'Grünwald'],
    ]);
    const hafen = property(sonnenschein, 'Gewerbehof Am Hafen 3', 'rental', [['Am Hafen', '3', '86150', 'Augsburg']]);

    unit(sonnenschein, test, 'Wohnung 001', 'apartment', 62.5, 'EG');

    const rosenUnits = ['001', '002', '003', '004', '005', '006'].map((n, i) =>
      unit(sonnenschein, rosenweg, `Wohnung ${n}`, 'apartment', [58.2, 74.9, 91.3, 58.2, 74.9, 112.4][i], `${Math.floor(i / 2)}. OG`),
    );
    const rosenParking = [1, 2, 3].map((n) => unit(sonnenschein, rosenweg, `Stellplatz ${n}`, 'parking', 12.5));
    // Rosenweg 24 comes from the ERP (Stammdaten): its fields are marked "ERP" and read-only in the console.
    for (const record of [rosenweg.property, ...rosenweg.addresses, ...rosenUnits, ...rosenParking]) record.erpSyncedAt = now;

    const mpUnits = ['001', '002', '003', '004', '005', '006', '007', '008'].map((n, i) =>
      unit(
        sonnenschein,
        maxPlanck,
        `Wohnung ${n}`,
        'apartment',
        [48.0, 67.3, 67.3, 82.1, 48.0, 67.3, 67.3, 95.6][i],
        `${Math.floor(i / 2)}. OG`,
        i < 4 ? 0 : 1,
      ),
    );
    const mpShop = unit(sonnenschein, maxPlanck, 'Gewerbe 01 (Bäckerei)', 'commercial', 120.0, 'EG');
    const lindenUnits = ['W 1', 'W 2', 'W 3', 'W 4'].map((n, i) => unit(sonnenschein, linden, `Wohnung ${n}`, 'apartment', 85 + i * 5, `${i}. OG`, i % 2));
    const hafenUnits = ['Halle A', 'Halle B', 'Büro 1'].map((n) => unit(sonnenschein, hafen, n, 'commercial', 250));
    unit(sonnenschein, hafen, 'Lager', 'other', 40);

    const kristina = person(sonnenschein, {
      salutation: 'frau',
      firstName: 'Kristina',
      lastName: 'Maiblume',
      email: 'kristina.maiblume@example.de',
      phone: '0151 2345678',
      street: 'Max-Planck-Straße 12',
      postalCode: '80638',
      city: 'München',
    });
    const eigner = person(sonnenschein, {
      salutation: 'herr',
      title: 'Dr.',
      firstName: 'Heinrich',
      lastName: 'Eigner',
      email: 'heinrich.eigner@example.de',
      street: 'Isarring 8',
      postalCode: '81925',
      city: 'München',
      contactPreference: 'post',
    });
    const tenants = [
      person(sonnenschein, { salutation: 'herr', firstName: 'Jonas', lastName: 'Becker', email: 'jonas.becker@example.de' }),
      person(sonnenschein, { salutation: 'frau', firstName: 'Aylin', lastName: 'Demir', email: 'aylin.demir@example.de' }),
      person(sonnenschein, { salutation: 'herr', firstName: 'Lukas', lastName: 'Hoffmann', email: 'lukas.hoffmann@example.de' }),
      person(sonnenschein, {
        salutation: 'frau',
        firstName: 'Marta',
        lastName: 'Nowak',
        contactPreference: 'post',
        street: 'Rosenweg 24',
        postalCode: '81675',
        city: 'München',
      }),
      person(sonnenschein, { salutation: 'herr', firstName: 'Peter', lastName: 'Schulz', email: 'peter.schulz@example.de' }),
      person(sonnenschein, { salutation: 'frau', firstName: 'Elena', lastName: 'Wagner', email: 'elena.wagner@example.de' }),
    ];
    const [becker, demir, hoffmann, nowak, schulz, wagner] = tenants;
    const owners = [
      person(sonnenschein, { salutation: 'frau', firstName: 'Ingrid', lastName: 'Sommer', email: 'ingrid.sommer@example.de' }),
      person(sonnenschein, {
        salutation: 'herr',
        firstName: 'Walter',
        lastName: 'Krause',
        contactPreference: 'post',
        street: 'Hauptstraße 3',
        postalCode: '85354',
        city: 'Freising',
      }),
    ];
    const bakery = tx.create(Contact, {
      organization: sonnenschein,
      type: 'company',
      salutation: 'firma',
      companyName: 'Bäckerei Brotzeit GmbH',
      email: 'info@baeckerei-brotzeit.de',
      contactPreference: 'online',
      externalId: ext('KT'),
      createdAt: now,
      updatedAt: now,
    });
    const logistics = tx.create(Contact, {
      organization: sonnenschein,
      type: 'company',
      salutation: 'firma',
      companyName: 'Hafenlogistik Süd GmbH',
      email: 'verwaltung@hafenlogistik.de',
      contactPreference: 'online',
      externalId: ext('KT'),
      createdAt: now,
      updatedAt: now,
    });

    const longAgo = addDays(today, -900);
    // Max-Planck-Straße 12: Kristina Maiblume in Wohnung 002 (seed 003), owned by Dr. Eigner.
    contract(sonnenschein, 'rental', mpUnits[1], [kristina], addDays(today, -400));
    contract(sonnenschein, 'ownership', mpUnits[1], [eigner], longAgo);
    contract(sonnenschein, 'rental', mpUnits[0], [becker], longAgo);
    // One tenancy ends soon, one starts next month (seed 002: access windows).
    contract(sonnenschein, 'rental', mpUnits[2], [hoffmann], addDays(today, -700), addDays(today, 20));
    contract(sonnenschein, 'rental', mpUnits[3], [schulz], firstOfNextMonth(today));
    contract(sonnenschein, 'rental', mpUnits[3], [demir], addDays(today, -1200), addDays(today, -45));
    contract(sonnenschein, 'rental', mpShop, [bakery], addDays(today, -2000));
    mpUnits.slice(4).forEach((u, i) => {
      contract(sonnenschein, 'ownership', u, [owners[i % 2]], longAgo);
    });
    // Rosenweg 24 (WEG): owners, some letting their flats.
    const rosenOwnerships = rosenUnits.map((u, i) => contract(sonnenschein, 'ownership', u, [i < 2 ? eigner : owners[i % 2]], longAgo));
    contract(sonnenschein, 'rental', rosenUnits[0], [nowak], addDays(today, -300));
    contract(sonnenschein, 'rental', rosenUnits[1], [wagner], addDays(today, -150));
    contract(sonnenschein, 'rental', rosenParking[0], [wagner], addDays(today, -150));
    lindenUnits.forEach((u) => {
      contract(sonnenschein, 'ownership', u, [owners[1]], longAgo);
    });
    const hafenLease = contract(sonnenschein, 'rental', hafenUnits[0], [logistics], addDays(today, -500));
    // The Hausbesitzerin of the Gewerbehof (seed 004), with a login: she sees all its Berichte.
    const hausmann = person(sonnenschein, { salutation: 'frau', firstName: 'Karin', lastName: 'Hausmann', email: 'karin.hausmann@example.de' });

    const huber = tx.create(ServiceProvider, {
      organization: sonnenschein,
      name: 'Hausmeisterservice Huber',
      trade: 'Hausmeister',
      email: 'service@hausmeister-huber.de',
      phone: '089 555123',
      externalId: ext('DL'),
      createdAt: now,
    });
    tx.create(ServiceProvider, {
      organization: sonnenschein,
      name: 'Heizung & Sanitär Keller',
      trade: 'Heizung',
      email: 'notdienst@keller-hs.de',
      phone: '089 555987',
      externalId: ext('DL'),
      createdAt: now,
    });

    const kristinaUser = tx.create(PortalUser, {
      organization: sonnenschein,
      email: 'kristina.maiblume@example.de',
      name: 'Kristina Maiblume',
      passwordHash,
      createdAt: now,
      onboardedAt: now,
      contacts: [kristina],
    });
    const eignerUser = tx.create(PortalUser, {
      organization: sonnenschein,
      email: 'heinrich.eigner@example.de',
      name: 'Dr. Heinrich Eigner',
      passwordHash,
      createdAt: now,
      onboardedAt: now,
      contacts: [eigner],
    });

    tx.create(PortalUser, {
      organization: sonnenschein,
      email: 'karin.hausmann@example.de',
      name: 'Karin Hausmann',
      passwordHash,
      createdAt: now,
      onboardedAt: now,
      contacts: [hausmann],
    });
    seedDemoAccounting(
      tx,
      {
        organization: sonnenschein,
        rosenweg: { property: rosenweg.property, ownerships: rosenOwnerships.map((contract) => ({ contract, areaSqm: Number(contract.unit.areaSqm) })) },
        hafen: {
          property: hafen.property,
          owner: hausmann,
          leases: [{ contract: hafenLease, rentCents: 240000, costsCents: 45000 }],
        },
      },
      today,
      now,
    );

    tx.create(ApiKey, { organization: sonnenschein, name: 'Demo-ERP', prefix: DEMO_API_KEY.slice(0, 12), keyHash: hashApiKey(DEMO_API_KEY), createdAt: now });

    // --- Nordhaus: a second Verwaltung whose data must stay invisible --------------------
    const hafenstrasse = property(nordhaus, 'Hafenstraße 9', 'rental', [['Hafenstraße', '9', '20359', 'Hamburg']]);
    const nordUnit = unit(nordhaus, hafenstrasse, 'Wohnung 002', 'apartment', 70);
    const nordTenant = person(nordhaus, { salutation: 'frau', firstName: 'Frieda', lastName: 'Friesen', email: 'frieda.friesen@example.de' });
    contract(nordhaus, 'rental', nordUnit, [nordTenant], longAgo);
    const nordUser = tx.create(PortalUser, {
      organization: nordhaus,
      email: 'frieda.friesen@example.de',
      name: 'Frieda Friesen',
      passwordHash,
      createdAt: now,
      onboardedAt: now,
      contacts: [nordTenant],
    });

    // The content of the portals (issue 3): every section has something to show.
    const contentWorld = {
      organizations: { sonnenschein },
      staff: { manager },
      properties: { test: test.property, rosenweg: rosenweg.property, maxPlanck: maxPlanck.property, linden: linden.property },
    };
    seedDemoAnnouncements(tx, contentWorld, now);
    seedDemoAppointments(tx, contentWorld, now);
    seedDemoFaq(tx, contentWorld);
    seedDemoContactPersons(tx, contentWorld);
    seedDemoBulletin(tx, contentWorld, now);
    seedDemoCommunity(tx, { organization: sonnenschein, property: maxPlanck.property, kristina: kristinaUser, neighbour: eignerUser }, now);
    seedDemoBookings(tx, contentWorld, now);
    seedDemoDisplays(tx, contentWorld, now);
    // Gewerbemitarbeiter of the bakery (src/features/commercial/demo.ts): for `npm start` only (a file storage), the test world keeps its logins.
    if (options.storage) await seedDemoCommercial(tx, { organization: sonnenschein, property: maxPlanck.property, bakery, passwordHash }, now);
    await seedDemoInvitations(tx, { ...contentWorld, contacts: { becker, nowak, wagner } }, now, options);
    const sonnenscheinTypes = seedDocumentTypes(tx, sonnenschein, now);
    seedDocumentTypes(tx, nordhaus, now);
    const sonnenscheinCategories = seedTicketCategories(tx, sonnenschein, now);
    seedTicketCategories(tx, nordhaus, now);
    seedDemoTickets(
      tx,
      {
        organization: sonnenschein,
        staff: { manager, clerk },
        properties: { maxPlanck: maxPlanck.property, rosenweg: rosenweg.property },
        units: { wohnung002: mpUnits[1] },
        reporters: { kristina: { user: kristinaUser, contact: kristina }, eigner: { user: eignerUser, contact: eigner } },
      },
      sonnenscheinCategories,
      now,
    );
    seedDemoOrders(
      tx,
      {
        organization: sonnenschein,
        property: maxPlanck.property,
        provider: huber,
        reporter: { user: kristinaUser, contact: kristina },
        category: sonnenscheinCategories.get('Schaden/Reparatur')!,
        passwordHash,
      },
      now,
    );
    // Demo documents of seed 003 (real PDFs), only with a file storage, like the invitation letter.
    if (options.storage) {
      await seedDemoDocuments(tx, { ...contentWorld, units: { wohnung002: mpUnits[1] }, contacts: { kristina } }, sonnenscheinTypes, now, options.storage);
    }

    await tx.flush();
    return {
      organizations: { sonnenschein, nordhaus },
      staff: { manager, clerk, nordAdmin },
      properties: {
        test: test.property,
        rosenweg: rosenweg.property,
        maxPlanck: maxPlanck.property,
        linden: linden.property,
        hafen: hafen.property,
        hafenstrasse: hafenstrasse.property,
      },
      units: { wohnung002: mpUnits[1], nordUnit },
      contacts: { kristina, eigner, hoffmann, schulz, demir, nordTenant },
      portalUsers: { kristina: kristinaUser, eigner: eignerUser, frieda: nordUser },
    };
  });
}

export type DemoWorld = Awaited<ReturnType<typeof seedDemo>>;
