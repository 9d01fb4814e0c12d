import { hashPassword } from '../../src/auth/password.ts';
import type { Orm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD } from '../../src/features/demo/seed.ts';

/**
 * The benchmark's large data set, added to the first demo Verwaltung ("Hausverwaltung
 * Sonnenschein GmbH") next to the normal demo world: 1,000 properties with one address
 * each, 50,000 units, 100,000 contacts and ~110,000 contracts (an active tenancy on
 * almost every unit, former tenancies, owners). Everything is generated in set-based SQL
 * from generate_series and arithmetic on the row number, so it is deterministic (only the
 * UUIDs differ between runs) and takes seconds, not minutes. Bench only: it writes around
 * the ORM on purpose.
 */

const FEMALE = [
  'Anna',
  'Maria',
  'Ursula',
  'Monika',
  'Petra',
  'Elisabeth',
  'Sabine',
  'Renate',
  'Helga',
  'Karin',
  'Brigitte',
  'Ingrid',
  'Erika',
  'Andrea',
  'Gisela',
  'Claudia',
  'Susanne',
  'Gabriele',
  'Christa',
  'Christine',
  'Hildegard',
  'Julia',
  'Laura',
  'Lena',
  'Sophie',
  'Lea',
  'Katharina',
  'Sandra',
  'Nicole',
  'Stefanie',
];
const MALE = [
  'Peter',
  'Michael',
  'Thomas',
  'Andreas',
  'Wolfgang',
  'Klaus',
  'Jürgen',
  'Günter',
  'Stefan',
  'Christian',
  'Uwe',
  'Werner',
  'Horst',
  'Frank',
  'Dieter',
  'Manfred',
  'Gerhard',
  'Hans',
  'Bernd',
  'Matthias',
  'Alexander',
  'Martin',
  'Markus',
  'Sebastian',
  'Tobias',
  'Jan',
  'Felix',
  'Lukas',
  'Jonas',
  'Florian',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Schäfer',
  'Koch',
  'Bauer',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Zimmermann',
  'Braun',
  'Krüger',
  'Hofmann',
  'Hartmann',
  'Lange',
  'Schmitt',
  'Werner',
  'Schmitz',
  'Krause',
  'Meier',
  'Lehmann',
  'Schmid',
  'Schulze',
  'Maier',
  'Köhler',
  'Herrmann',
  'König',
  'Walter',
  'Mayer',
  'Huber',
  'Kaiser',
  'Fuchs',
  'Peters',
  'Lang',
  'Scholz',
  'Möller',
  'Weiß',
  'Jung',
  'Hahn',
  'Schubert',
  'Vogel',
  'Friedrich',
  'Keller',
  'Günther',
  'Frank',
  'Berger',
  'Winkler',
  'Roth',
  'Beck',
  'Lorenz',
  'Baumann',
  'Franke',
  'Albrecht',
  'Schuster',
  'Simon',
  'Ludwig',
  'Böhm',
  'Winter',
  'Kraus',
  'Martin',
  'Schumacher',
  'Krämer',
  'Vogt',
  'Stein',
  'Jäger',
  'Otto',
  'Sommer',
  'Groß',
  'Seidel',
  'Heinrich',
  'Brandt',
  'Haas',
  'Schreiber',
  'Graf',
  'Schulte',
  'Dietrich',
  'Ziegler',
  'Kuhn',
  'Kühn',
  'Pohl',
  'Engel',
  'Horn',
  'Busch',
  'Bergmann',
  'Thomas',
  'Voigt',
  'Sauer',
  'Arnold',
  'Wolff',
  'Pfeiffer',
];
const STREETS = [
  'Hauptstraße',
  'Schulstraße',
  'Gartenstraße',
  'Bahnhofstraße',
  'Dorfstraße',
  'Bergstraße',
  'Birkenweg',
  'Lindenstraße',
  'Kirchstraße',
  'Waldstraße',
  'Ringstraße',
  'Schillerstraße',
  'Goethestraße',
  'Mühlenweg',
  'Wiesenweg',
  'Amselweg',
  'Jahnstraße',
  'Finkenweg',
  'Friedhofstraße',
  'Rosenstraße',
  'Feldstraße',
  'Buchenweg',
  'Am Sportplatz',
  'Mozartstraße',
  'Eichendorffstraße',
  'Beethovenstraße',
  'Parkstraße',
  'Poststraße',
  'Tulpenweg',
  'Ahornweg',
  'Lessingstraße',
  'Kastanienallee',
  'Uhlandstraße',
  'Blumenstraße',
  'Raiffeisenstraße',
  'Industriestraße',
  'Talstraße',
  'Sonnenstraße',
  'Am Anger',
  'Heinrich-Heine-Straße',
];
// [city, first postcode, how many postcodes to spread over]
const CITIES: [string, number, number][] = [
  ['München', 80331, 1600],
  ['München', 80331, 1600],
  ['München', 80331, 1600],
  ['Augsburg', 86150, 50],
  ['Nürnberg', 90402, 80],
  ['Regensburg', 93047, 12],
  ['Ingolstadt', 85049, 8],
  ['Freising', 85354, 3],
  ['Erding', 85435, 1],
  ['Dachau', 85221, 1],
  ['Landshut', 84028, 8],
  ['Rosenheim', 83022, 5],
  ['Starnberg', 82319, 1],
  ['Fürstenfeldbruck', 82256, 1],
  ['Garching', 85748, 1],
];
const COMPANY_FORMS = ['Immobilien GmbH', 'Grundbesitz KG', 'Vermögensverwaltung GmbH', 'Wohnbau GmbH & Co. KG'];

/** The searches the bench runs: each matches a few dozen properties / some hundred contacts. */
export const PROPERTY_QUERY = 'Lindenstraße';
export const CONTACT_QUERY = 'Schwarz';

export const BENCH_PORTAL_USER = { email: 'benchmark.bewohnerin@example.de', password: DEMO_PASSWORD };

const PROPERTIES = 1000;
const CONTACTS = 100_000;

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
function textArray(values: string[]): string {
  return `(array[${values.map(literal).join(',')}]::text[])`;
}

export type LargeWorld = {
  organizationId: string;
  counts: Record<string, number>;
  /** The property with the most units (for the Einheiten tab). */
  largestProperty: { id: string; name: string; units: number };
  /** The property whose portal start page the bench user opens. */
  portalProperty: { id: string; name: string };
  portalProperties: number;
  /** The bench resident's longest conversation in the portal property (issue 21). */
  conversationId: string | null;
  propertyMatches: number;
  contactMatches: number;
};

/** Adds the large data set to the Verwaltung named by the demo world; see the top comment. */
export async function seedLargeWorld(orm: Orm, today: string): Promise<LargeWorld> {
  const passwordHash = await hashPassword(BENCH_PORTAL_USER.password);
  const em = orm.em.fork();
  const [{ id: org }] = await em.execute<{ id: string }[]>(`select id from organization where name = 'Hausverwaltung Sonnenschein GmbH'`);
  const orgLit = literal(org);
  const todayLit = `${literal(today)}::date`;
  const female = textArray(FEMALE);
  const male = textArray(MALE);
  const last = textArray(LAST);
  const streets = textArray(STREETS);

  // One transaction, so the temp tables (numbered rows → UUIDs) live on one connection.
  await em.transactional(async (tx) => {
    const run = (sql: string) => tx.execute(sql);

    // Properties: street names cycle with a stride coprime to their count, so each street
    // carries exactly 25 properties (PROPERTY_QUERY matches a few dozen of the 1,000).
    // Unit counts come in pairs 50±d (d ≤ 30), so they vary from 20 to 80 and sum to 50,000.
    await run(`create temp table bp on commit drop as
      select g as n, gen_random_uuid() as id, g % 3 as kind_no,
             (${streets})[1 + (g * 7) % ${STREETS.length}] as street,
             (1 + (g * 13) % 120)::text || (case when g % 11 = 0 then 'a' else '' end) as house,
             c.n as city_no,
             50 + (case when g % 2 = 0 then 1 else -1 end) * (((g + 1) / 2 * 17) % 31) as units
      from generate_series(1, ${PROPERTIES}) g
      cross join lateral (select 1 + (g * 5) % ${CITIES.length} as n) c`);
    await run('analyze bp');
    await run(`create temp table bcity on commit drop as
      select * from (values ${CITIES.map(([name, from, spread], i) => `(${i + 1}, ${literal(name)}, ${from}, ${spread})`).join(', ')}) v(n, name, plz_from, plz_spread)`);
    await run(`insert into property (id, organization_id, external_id, name, kind, archived_at, created_at, updated_at)
      select id, ${orgLit}, 'LG-B' || lpad(n::text, 5, '0'),
             case when n % 10 = 0 then 'WEG ' else '' end || street || ' ' || house,
             (array['rental', 'weg', 'mixed'])[1 + kind_no], null, now(), now()
      from bp`);
    await run(`insert into address (id, organization_id, property_id, external_id, street, house_number, postal_code, city, created_at, updated_at)
      select gen_random_uuid(), ${orgLit}, bp.id, 'AD-B' || lpad(bp.n::text, 5, '0'), bp.street, bp.house,
             (c.plz_from + (bp.n * 37) % c.plz_spread)::text, c.name, now(), now()
      from bp join bcity c on c.n = bp.city_no`);

    // Units: numbered per property; every 20th a shop, two in 20 parking spaces.
    await run(`create temp table bu on commit drop as
      select row_number() over (order by bp.n, k)::int as n, gen_random_uuid() as id, bp.n as property_n, bp.id as property_id, bp.kind_no, k
      from bp cross join generate_series(1, bp.units) k`);
    await run('alter table bu add primary key (n)');
    await run('analyze bu');
    await run(`insert into unit (id, organization_id, property_id, address_id, external_id, number, kind, area_sqm, floor, archived_at, created_at, updated_at)
      select bu.id, ${orgLit}, bu.property_id, a.id, 'EH-B' || lpad(bu.n::text, 6, '0'),
             case bu.k % 20 when 0 then 'Gewerbe ' || lpad((bu.k / 20)::text, 2, '0')
                            when 1 then 'Stellplatz ' || bu.k when 2 then 'Stellplatz ' || bu.k
                            else 'Wohnung ' || lpad(bu.k::text, 3, '0') end,
             case bu.k % 20 when 0 then 'commercial' when 1 then 'parking' when 2 then 'parking' else 'apartment' end,
             case bu.k % 20 when 0 then 80 + (bu.n * 7) % 200 when 1 then 12.5 when 2 then 12.5 else 32 + (bu.n * 13) % 95 + ((bu.n % 4) * 0.25) end,
             case when bu.k <= 4 then 'EG' else ((bu.k - 1) / 4)::text || '. OG' end,
             null, now(), now()
      from bu join address a on a.property_id = bu.property_id and a.organization_id = ${orgLit}`);

    // Contacts 1..100,000. Roles by number: 1–50,000 current tenants (of unit n),
    // 50,001–56,250 co-tenants, 56,251–68,750 former tenants, 68,751–100,000 owners.
    await run(`create temp table bc on commit drop as
      select g as n, gen_random_uuid() as id,
             (g > 68750 and g % 25 = 0) as company,
             1 + (g * 31) % ${FEMALE.length + MALE.length} as first_no,
             1 + (g * 17 + g / 97) % ${LAST.length} as last_no
      from generate_series(1, ${CONTACTS}) g`);
    await run('alter table bc add primary key (n)');
    await run('analyze bc');
    await run(`insert into contact (id, organization_id, external_id, type, salutation, title, first_name, last_name, company_name, email, phone,
                                   street, postal_code, city, country, contact_preference, archived_at, created_at, updated_at)
      select bc.id, ${orgLit}, 'KT-B' || lpad(bc.n::text, 6, '0'),
             case when bc.company then 'company' else 'person' end,
             case when bc.company then 'firma' when bc.first_no <= ${FEMALE.length} then 'frau' else 'herr' end,
             case when not bc.company and bc.n % 50 = 7 then 'Dr.' end,
             case when not bc.company then f.name end,
             case when not bc.company then l.name end,
             case when bc.company then l.name || ' ' || (${textArray(COMPANY_FORMS)})[1 + bc.n % ${COMPANY_FORMS.length}] end,
             case when bc.n % 10 < 7 then
               replace(replace(replace(replace(lower(case when bc.company then 'info.' || l.name else f.name || '.' || l.name end),
                 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss') || bc.n || '@example.de' end,
             case when bc.n % 2 = 0 then '0' || (151 + bc.n % 30) || ' ' || lpad(((bc.n * 7919) % 10000000)::text, 7, '0') end,
             case when bc.n % 7 = 0 then (${streets})[1 + (bc.n * 3) % ${STREETS.length}] || ' ' || (1 + bc.n % 90) end,
             case when bc.n % 7 = 0 then (c.plz_from + (bc.n * 37) % c.plz_spread)::text end,
             case when bc.n % 7 = 0 then c.name end,
             'DE', case when bc.n % 7 = 0 then 'post' else 'online' end, null, now(), now()
      from bc
      cross join lateral (select (case when bc.first_no <= ${FEMALE.length} then ${female}[bc.first_no] else ${male}[bc.first_no - ${FEMALE.length}] end) as name) f
      cross join lateral (select ${last}[bc.last_no] as name) l
      join bcity c on c.n = 1 + bc.n % ${CITIES.length}`);

    // Contracts: an active tenancy on every unit but each 25th (vacant), co-tenants on each
    // 8th, a former tenancy on each 4th, and one ownership per unit (per-unit owners in WEG
    // and mixed properties, one owner company per rental property).
    await run(`create temp table bk on commit drop as
      select gen_random_uuid() as id, 'rental' as kind, bu.id as unit_id, bu.n as unit_n,
             ${todayLit} - (30 + (bu.n * 37) % 3600) as starts_on, null::date as ends_on, bu.n as contact_n, 'MV' as prefix
      from bu where bu.n % 25 <> 0
      union all
      select gen_random_uuid(), 'rental', bu.id, bu.n,
             ${todayLit} - (30 + (bu.n * 37) % 3600) - (400 + (bu.n * 11) % 2000), ${todayLit} - (31 + (bu.n * 37) % 3600), 56250 + (bu.n + 3) / 4, 'MV'
      from bu where bu.n % 4 = 1
      union all
      select gen_random_uuid(), 'ownership', bu.id, bu.n, ${todayLit} - (3000 + (bu.n * 29) % 6000), null,
             case when bu.kind_no = 0 then 68751 + (bu.property_n * 31) % 31250 else 68751 + (bu.n * 7) % 31250 end, 'ET'
      from bu`);
    await run('analyze bk');
    await run(`insert into contract (id, organization_id, external_id, kind, unit_id, contract_number, starts_on, ends_on, created_at, updated_at)
      select id, ${orgLit}, null, kind, unit_id, prefix || '-B' || lpad((row_number() over (order by unit_n, kind, starts_on))::text, 7, '0'), starts_on, ends_on, now(), now()
      from bk`);
    await run(`insert into contract_contact (contract_id, contact_id)
      select bk.id, bc.id from bk join bc on bc.n = bk.contact_n
      union all
      select bk.id, bc.id from bk join bc on bc.n = 50000 + bk.unit_n / 8
      where bk.kind = 'rental' and bk.ends_on is null and bk.unit_n % 8 = 0`);

    // The bench's resident: tenant of a flat in property 10, and co-owner of a flat in
    // properties 20 and 30, so the portal start page has several contracts to sort through.
    await run(`update contact set email = ${literal(BENCH_PORTAL_USER.email)}
      where id = (select bc.id from bc join bu on bu.n = bc.n where bu.property_n = 10 and bu.k = 5)`);
    await run(`insert into contract_contact (contract_id, contact_id)
      select bk.id, (select bc.id from bc join bu on bu.n = bc.n where bu.property_n = 10 and bu.k = 5)
      from bk join bu on bu.id = bk.unit_id
      where bk.kind = 'ownership' and bu.property_n in (20, 30) and bu.k = 7`);
    // onboarded_at: the first-login questions are answered, so the pages themselves are measured.
    await run(`insert into portal_user (id, organization_id, email, name, password_hash, locale, disabled_at, last_login_at, created_at, onboarded_at)
      select gen_random_uuid(), ${orgLit}, ${literal(BENCH_PORTAL_USER.email)}, first_name || ' ' || last_name, ${literal(passwordHash)}, 'de', null, null, now(), now()
      from contact where organization_id = ${orgLit} and email = ${literal(BENCH_PORTAL_USER.email)}`);
    await run(`insert into portal_user_contact (portal_user_id, contact_id)
      select pu.id, c.id from portal_user pu join contact c on c.email = pu.email and c.organization_id = pu.organization_id
      where pu.email = ${literal(BENCH_PORTAL_USER.email)}`);

    // Issue 3: 200 Mitteilungen per property of the bench resident (properties 10, 20, 30),
    // so the portal start page and the Mitteilungen list read from a realistic history.
    await run(`create temp table ba on commit drop as
      select gen_random_uuid() as id, bp.id as property_id, g
      from bp cross join generate_series(1, 200) g where bp.n in (10, 20, 30)`);
    await run(`insert into announcement (id, organization_id, title, body, status, all_properties, published_at, created_by_id, created_at, updated_at)
      select ba.id, ${orgLit}, 'Mitteilung ' || ba.g, 'Liebe Bewohnerinnen und Bewohner,' || chr(10) || chr(10) || 'dies ist die Mitteilung Nummer ' || ba.g || '.',
             'published', false, now() - ba.g * interval '1 day', (select id from staff_user where email = 'verwalter@sonnenschein-hv.de'),
             now() - ba.g * interval '1 day', now() - ba.g * interval '1 day'
      from ba`);
    await run(`insert into announcement_property (announcement_id, property_id) select id, property_id from ba`);

    // Issue 21: the Community-Bereich open for the bench resident's property 10, with 2,000
    // listed neighbours, 5,000 posts and 100,000 Direktnachrichten (seedLargeCommunity).
    await run(`update organization set community_enabled = true, direct_messages_enabled = true, neighbour_profile_enabled = true where id = ${orgLit}`);
    await run(`update property set community_enabled = true from bp where property.id = bp.id and bp.n = 10`);
    const [{ property_id, resident_id }] = await tx.execute<{ property_id: string; resident_id: string }[]>(
      `select (select id from bp where n = 10) as property_id, (select id from portal_user where email = ${literal(BENCH_PORTAL_USER.email)}) as resident_id`,
    );
    await seedLargeCommunity(tx, { organizationId: org, propertyId: property_id, residentId: resident_id, passwordHash });
  });
  // Production tables are analysed by autovacuum; give the planner the same statistics.
  await em.execute('vacuum analyze');
  return describeLargeWorld(orm);
}

/** The community of the large world; COMMUNITY_SIZE.residents etc. can be made smaller for a quick look (BENCH_COMMUNITY_SCALE). */
export const COMMUNITY_SIZE = (() => {
  const scale = Number(process.env.BENCH_COMMUNITY_SCALE ?? 1);
  const of = (n: number) => Math.max(1, Math.round(n * scale));
  return { residents: of(2000), posts: of(5000), messages: of(100_000) };
})();
/** Messages in the bench resident's largest conversation (the conversation page pages through them). */
const LONG_CONVERSATION_SHARE = 0.1;
/** The bench resident's other conversations, each with MESSAGES_PER_SHORT messages. */
const RESIDENT_CONVERSATIONS = 300;
const MESSAGES_PER_SHORT = 100;

/**
 * The community at scale in one property (issue 21), in set-based SQL: `residents` Bewohner
 * (portal users with a membership, every one listed in "Eigentümer / Nachbarn" with a
 * display name, every third with an "Über mich" and a floor), `posts` posts on the
 * Schwarzes Brett by them, and `messages` Direktnachrichten: the bench resident has one
 * long conversation (a tenth of them) and up to 300 of 100 messages each (the last few
 * unread), the rest in conversations of neighbours in pairs. The bench resident is listed
 * too. Runs inside the caller's transaction; bench only.
 */
export async function seedLargeCommunity(
  tx: { execute: (sql: string) => Promise<unknown> },
  input: { organizationId: string; propertyId: string; residentId: string; passwordHash: string },
  size = COMMUNITY_SIZE,
) {
  const run = (sql: string) => tx.execute(sql);
  const org = `${literal(input.organizationId)}::uuid`;
  const property = `${literal(input.propertyId)}::uuid`;
  const resident = `${literal(input.residentId)}::uuid`;
  const conversations = Math.min(RESIDENT_CONVERSATIONS, size.residents - 1);
  const longMessages = Math.round(size.messages * LONG_CONVERSATION_SHARE);
  const shortMessages = Math.min(MESSAGES_PER_SHORT, Math.floor((size.messages - longMessages) / 2 / Math.max(1, conversations)));
  const pairs = Math.floor((size.residents - 1) / 2);
  const restMessages = Math.max(0, size.messages - longMessages - shortMessages * (conversations - 1));
  const perPair = Math.max(1, Math.floor(restMessages / Math.max(1, pairs)));

  // Neighbours 1..residents (numbered n), the bench resident as number 0.
  await run(`create temp table bn on commit drop as
    select g as n, gen_random_uuid() as id from generate_series(1, ${size.residents}) g
    union all select 0, ${resident}`);
  await run('alter table bn add primary key (n)');
  await run('analyze bn');
  await run(`insert into portal_user (id, organization_id, email, name, display_name, password_hash, locale, created_at, onboarded_at)
    select id, ${org}, 'nachbar' || n || '@bench.example.de', 'Nachbar ' || n, 'Nachbar ' || lpad(n::text, 4, '0'), ${literal(input.passwordHash)}, 'de', now(), now()
    from bn where n > 0`);
  await run(`insert into portal_membership (id, organization_id, portal_user_id, property_id, role, created_at)
    select gen_random_uuid(), ${org}, id, ${property}, 'resident', now() from bn where n > 0`);
  await run(`update portal_user set display_name = 'Benchmark-Bewohnerin' where id = ${resident}`);
  await run(`insert into neighbour_profile (portal_user_id, property_id, organization_id, listed, show_name, show_photo, about, location, updated_at)
    select id, ${property}, ${org}, true, true, false,
      case when n % 3 = 0 then 'Ich wohne gern hier und helfe beim Gießen, Nummer ' || n || '.' end,
      case when n % 3 = 0 then (1 + n % 6) || '. OG' end, now()
    from bn`);

  await run(`insert into board_post (id, organization_id, property_id, author_id, title, body, created_at, updated_at)
    select gen_random_uuid(), ${org}, ${property}, bn.id,
           'Beitrag ' || g, 'Liebe Nachbarn,' || chr(10) || chr(10) || 'dies ist der Beitrag Nummer ' || g || '.',
           now() - g * interval '1 hour', now() - g * interval '1 hour'
    from generate_series(1, ${size.posts}) g join bn on bn.n = g % ${size.residents + 1}`);

  // Conversations: c = 1..conversations the bench resident with neighbour c (c = 1 the long
  // one), then pairs of neighbours (2p+1, 2p+2) for p = 0..pairs-1.
  await run(`create temp table bconv on commit drop as
    select c as n, gen_random_uuid() as id, 0 as a, c as b, case when c = 1 then ${longMessages} else ${shortMessages} end as messages
    from generate_series(1, ${conversations}) c
    union all
    select ${conversations} + p + 1, gen_random_uuid(), 2 * p + 1, 2 * p + 2, ${perPair}
    from generate_series(0, ${pairs - 1}) p`);
  await run(`create temp table bconv_users on commit drop as
    select bc.id, bc.n, bc.messages, ua.id as a_id, ub.id as b_id from bconv bc join bn ua on ua.n = bc.a join bn ub on ub.n = bc.b`);
  await run(`insert into conversation (id, organization_id, property_id, user_low_id, user_high_id, created_at, last_message_at)
    select id, ${org}, ${property}, least(a_id, b_id), greatest(a_id, b_id), now() - interval '400 days', now() - n * interval '1 minute'
    from bconv_users`);
  // Message k of a conversation (k = 1 the oldest) at last_message_at - (messages - k) minutes; both sides write in turn.
  await run(`insert into direct_message (id, organization_id, conversation_id, sender_id, body, withheld, created_at)
    select gen_random_uuid(), ${org}, bu.id, case when k % 2 = 0 then bu.a_id else bu.b_id end,
           'Nachricht ' || k || ' – bis später, liebe Grüße!', false,
           now() - bu.n * interval '1 minute' - (bu.messages - k) * interval '1 minute'
    from bconv_users bu cross join generate_series(1, bu.messages) k`);
  // Everything read but the last three of each of the bench resident's conversations.
  await run(`insert into conversation_participant (conversation_id, portal_user_id, organization_id, last_read_at)
    select id, a_id, ${org}, now() - n * interval '1 minute' - case when a_id = ${resident} then interval '3 minutes' else interval '0' end from bconv_users
    union all
    select id, b_id, ${org}, now() - n * interval '1 minute' from bconv_users`);
}

/** Whether the database already holds the large data set (BENCH_REUSE_DATABASE), the community of issue 21 included (a database of an earlier bench without it is seeded again). */
export async function hasLargeWorld(orm: Orm): Promise<boolean> {
  const rows = await orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from portal_user pu
    join neighbour_profile np on np.portal_user_id = pu.id where pu.email = ${literal(BENCH_PORTAL_USER.email)}`);
  return Number(rows[0].n) > 0;
}

/** The ids and sizes the bench needs, read back from the database. */
export async function describeLargeWorld(orm: Orm): Promise<LargeWorld> {
  const em = orm.em.fork();
  const [{ id: org }] = await em.execute<{ id: string }[]>(`select id from organization where name = 'Hausverwaltung Sonnenschein GmbH'`);
  const orgLit = literal(org);
  const one = async <T>(sql: string) => (await em.execute<T[]>(sql))[0];
  const counts: Record<string, number> = {};
  for (const table of ['property', 'address', 'unit', 'contact', 'contract', 'contract_contact', 'portal_membership', 'board_post', 'direct_message']) {
    counts[table] = Number(
      (await one<{ n: string }>(`select count(*) as n from ${table} where ${table === 'contract_contact' ? 'true' : `organization_id = ${orgLit}`}`)).n,
    );
  }
  const largest = await one<{ id: string; name: string; units: string }>(`
    select p.id, p.name, count(*) as units from property p join unit u on u.property_id = p.id
    where p.organization_id = ${orgLit} group by p.id, p.name order by count(*) desc, p.name limit 1`);
  const portal = await one<{ id: string; name: string }>(`select id, name from property where organization_id = ${orgLit} and external_id = 'LG-B00010'`);
  const portalProperties = await one<{ n: string }>(`
    select count(distinct u.property_id) as n from portal_user pu
    join portal_user_contact puc on puc.portal_user_id = pu.id join contract_contact cc on cc.contact_id = puc.contact_id
    join contract k on k.id = cc.contract_id join unit u on u.id = k.unit_id
    where pu.email = ${literal(BENCH_PORTAL_USER.email)}`);
  const conversation = await one<{ id: string }>(`
    select c.id from conversation c join portal_user pu on pu.id in (c.user_low_id, c.user_high_id)
    where pu.email = ${literal(BENCH_PORTAL_USER.email)} and c.property_id = ${literal(portal.id)}
    order by (select count(*) from direct_message m where m.conversation_id = c.id) desc limit 1`);
  const pattern = (q: string) => literal(`%${q}%`);
  const propertyMatches = await one<{ n: string }>(`
    select count(*) as n from property p where p.organization_id = ${orgLit} and p.archived_at is null and (p.name ilike ${pattern(PROPERTY_QUERY)}
      or exists (select 1 from address a where a.property_id = p.id and (a.street ilike ${pattern(PROPERTY_QUERY)} or a.city ilike ${pattern(PROPERTY_QUERY)} or a.postal_code ilike ${pattern(PROPERTY_QUERY)})))`);
  const contactMatches = await one<{ n: string }>(`
    select count(*) as n from contact where organization_id = ${orgLit} and archived_at is null and (last_name ilike ${pattern(CONTACT_QUERY)}
      or first_name ilike ${pattern(CONTACT_QUERY)} or company_name ilike ${pattern(CONTACT_QUERY)} or email ilike ${pattern(CONTACT_QUERY)})`);

  return {
    organizationId: org,
    counts,
    largestProperty: { id: largest.id, name: largest.name, units: Number(largest.units) },
    portalProperty: portal,
    portalProperties: Number(portalProperties.n),
    conversationId: conversation?.id ?? null,
    propertyMatches: Number(propertyMatches.n),
    contactMatches: Number(contactMatches.n),
  };
}
