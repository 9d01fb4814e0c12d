import type { Em } from '../../db/orm.ts';
import {
  FiscalYear,
  LedgerAccount,
  LedgerEntry,
  PersonalAccount,
  PropertyOwnerLink,
  ReportSetting,
  TargetCharge,
  type Contact,
  type Contract,
  type LedgerAccountKind,
  type Organization,
  type Property,
  type ReportCode,
} from '../../entities/index.ts';

/** What the demo accounting needs of the demo world (src/features/demo/seed.ts). */
export type DemoAccountingWorld = {
  organization: Organization;
  /** Rosenweg 24 (WEG): the owners' contracts of its six flats, with their areas. */
  rosenweg: { property: Property; ownerships: Array<{ contract: Contract; areaSqm: number }> };
  /** Gewerbehof Am Hafen 3 (rental), with its Hausbesitzerin and its leases. */
  hafen: { property: Property; owner: Contact; leases: Array<{ contract: Contract; rentCents: number; costsCents: number }> };
};

/**
 * The bookkeeping an ERP would push for the demo (issue 18): Wirtschaftsjahre for last year
 * and this one, Sachkonten, Personenkonten with Hausgeld or rent, a year and a bit of
 * Buchungen (monthly payments, one late, one missing; Hausmeister, insurance, electricity,
 * garden), and the Berichte published, so that Dr. Eigner sees Rosenweg 24's reports and his
 * own Kontoauszug, and Karin Hausmann all four reports of her Gewerbehof.
 */
export function seedDemoAccounting(tx: Em, world: DemoAccountingWorld, today: string, now: Date) {
  const organization = world.organization;
  const year = Number(today.slice(0, 4));
  let counter = 0;
  const ext = (prefix: string) => `${prefix}-${String(++counter).padStart(5, '0')}`;
  const base = { organization, createdAt: now, updatedAt: now, erpSyncedAt: now };
  const months: string[] = [];
  for (const y of [year - 1, year])
    for (let m = 1; m <= 12; m++) {
      const first = `${y}-${String(m).padStart(2, '0')}-01`;
      if (first <= today) months.push(first);
    }
  const day = (first: string, d: number) => `${first.slice(0, 8)}${String(d).padStart(2, '0')}`;

  const years = (property: Property) => {
    for (const y of [year - 1, year]) tx.create(FiscalYear, { ...base, property, externalId: ext('WJ'), startsOn: `${y}-01-01`, endsOn: `${y}-12-31` });
  };
  const account = (property: Property, number: string, name: string, kind: LedgerAccountKind, apportionable = false) =>
    tx.create(LedgerAccount, { ...base, property, externalId: ext('SK'), number, name, kind, apportionable });
  const book = (ledgerAccount: LedgerAccount, bookedOn: string, amountCents: number, text: string, personalAccount: PersonalAccount | null = null) =>
    tx.create(LedgerEntry, { ...base, externalId: ext('BU'), bookedOn, amountCents, text, documentNumber: ext('BN'), ledgerAccount, personalAccount });
  const publish = (property: Property, published: ReportCode[]) => tx.create(ReportSetting, { organization, property, published, publishedFrom: null });

  // Rosenweg 24: Hausgeld 3,20 €/m² and Erhaltungsrücklage 0,60 €/m² from 1.1. of last year.
  const rosen = world.rosenweg.property;
  years(rosen);
  const hausgeld = account(rosen, '4000', 'Hausgeld', 'income');
  const reserveAccount = account(rosen, '1800', 'Erhaltungsrücklage', 'reserve');
  const janitor = account(rosen, '5000', 'Hausmeister', 'expense', true);
  const insurance = account(rosen, '5100', 'Gebäudeversicherung', 'expense', true);
  const power = account(rosen, '5200', 'Allgemeinstrom', 'expense', true);
  const garden = account(rosen, '5300', 'Gartenpflege', 'expense', true);
  world.rosenweg.ownerships.forEach(({ contract, areaSqm }, i) => {
    const personal = tx.create(PersonalAccount, { ...base, contract, externalId: ext('PK'), number: String(20001 + i) });
    const monthly = Math.round(areaSqm * 320);
    const reserve = Math.round(areaSqm * 60);
    tx.create(TargetCharge, {
      ...base,
      personalAccount: personal,
      externalId: ext('SO'),
      kind: 'house_money',
      monthlyAmountCents: monthly,
      validFrom: `${year - 1}-01-01`,
      validUntil: null,
    });
    tx.create(TargetCharge, {
      ...base,
      personalAccount: personal,
      externalId: ext('SO'),
      kind: 'reserve',
      monthlyAmountCents: reserve,
      validFrom: `${year - 1}-01-01`,
      validUntil: null,
    });
    months.forEach((first, m) => {
      // Flat 3 paid one month late last spring; flat 6 has not paid the current month yet.
      if (i === 5 && m === months.length - 1) return;
      const late = i === 2 && first === `${year - 1}-04-01`;
      book(hausgeld, late ? `${year - 1}-05-12` : day(first, 3), monthly + reserve, `Hausgeld ${first.slice(5, 7)}/${first.slice(0, 4)}`, personal);
    });
  });
  months.forEach((first) => {
    book(janitor, day(first, 15), 38000, 'Hausmeisterservice Huber');
    book(power, day(first, 20), 9650 + (Number(first.slice(5, 7)) % 3) * 410, 'Allgemeinstrom Abschlag');
    if (first.slice(5, 7) === '02') book(insurance, day(first, 1), 186040, 'Gebäudeversicherung Jahresbeitrag');
    if (['04', '06', '08', '10'].includes(first.slice(5, 7))) book(garden, day(first, 25), 24000, 'Gartenpflege');
    if (first.slice(5, 7) === '12') book(reserveAccount, day(first, 30), 300000, 'Zuführung Erhaltungsrücklage');
  });
  publish(rosen, ['sqm', 'surplus', 'statement']);

  // Gewerbehof Am Hafen 3: Karin Hausmann owns it; Halle A let, Halle B, Büro 1 and the Lager empty (Leerstandsliste).
  const hafen = world.hafen.property;
  tx.create(PropertyOwnerLink, { ...base, property: hafen, contact: world.hafen.owner, externalId: ext('HB') });
  years(hafen);
  const rent = account(hafen, '4000', 'Mieteinnahmen', 'income');
  const costs = account(hafen, '4100', 'Nebenkostenvorauszahlungen', 'income');
  const tax = account(hafen, '5100', 'Grundsteuer', 'expense', true);
  const repairs = account(hafen, '5300', 'Instandhaltung', 'expense');
  for (const lease of world.hafen.leases) {
    const personal = tx.create(PersonalAccount, { ...base, contract: lease.contract, externalId: ext('PK'), number: null });
    const until = lease.contract.endsOn ?? null;
    tx.create(TargetCharge, {
      ...base,
      personalAccount: personal,
      externalId: ext('SO'),
      kind: 'rent',
      monthlyAmountCents: lease.rentCents,
      validFrom: lease.contract.startsOn,
      validUntil: until,
    });
    tx.create(TargetCharge, {
      ...base,
      personalAccount: personal,
      externalId: ext('SO'),
      kind: 'operating_costs',
      monthlyAmountCents: lease.costsCents,
      validFrom: lease.contract.startsOn,
      validUntil: until,
    });
    for (const first of months) {
      if (first < lease.contract.startsOn || (until && first > until)) continue;
      book(rent, day(first, 2), lease.rentCents, `Miete ${first.slice(5, 7)}/${first.slice(0, 4)}`, personal);
      book(costs, day(first, 2), lease.costsCents, `NK-Vorauszahlung ${first.slice(5, 7)}/${first.slice(0, 4)}`, personal);
    }
  }
  for (const first of months) if (['02', '05', '08', '11'].includes(first.slice(5, 7))) book(tax, day(first, 15), 41250, 'Grundsteuer');
  if (months.includes(`${year - 1}-09-01`)) book(repairs, `${year - 1}-09-18`, 387520, 'Rolltor Halle A');
  publish(hafen, ['sqm', 'surplus', 'statement', 'vacancy']);
}
