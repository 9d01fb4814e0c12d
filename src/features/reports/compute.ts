// The figures of the Berichte (seed 004), as pure functions over plain rows (read by ./data.ts):
// no database, no clock, no formatting. Money is integer cents throughout; the only division
// (per m², a vacant part of a month) rounds once, at the end, to whole cents.
//
// Conventions: a Sollstellung is due on the 1st of every month of the Wirtschaftsjahr on which
// it is valid (validFrom ≤ 1st ≤ validUntil). A Buchung's amount is positive in its
// Sachkonto's own direction (income on an Einnahme account, an expense on an Ausgabe
// account); a Buchung with a personal account is a payment of that account. A personal
// account's balance is what is owed: opening + Soll − payments (negative: a credit).

export type Year = { startsOn: string; endsOn: string };
export type UnitRow = { id: string; number: string; areaSqm: number | null };
export type ContractRow = { id: string; unitId: string; kind: 'rental' | 'ownership'; startsOn: string; endsOn: string | null };
export type PersonalAccountRow = { id: string; contractId: string; unitId: string; unitNumber: string; contractKind: 'rental' | 'ownership'; holder: string };
export type ChargeRow = { personalAccountId: string; kind: string; monthlyCents: number; validFrom: string; validUntil: string | null };
export type LedgerAccountRow = { id: string; number: string; name: string; kind: 'income' | 'expense' | 'reserve' | 'clearing' };
/** A month's sum of one Sachkonto (month: "2026-07"). */
export type MonthSumRow = { ledgerAccountId: string; month: string; cents: number };
export type EntryRow = {
  id: string;
  bookedOn: string;
  amountCents: number;
  text: string | null;
  documentNumber: string | null;
  ledgerAccountId: string;
  personalAccountId: string | null;
};

/** The first days of the months whose 1st lies in the year ("2026-01-01", ...). */
export function monthStarts(year: Year): string[] {
  const months: string[] = [];
  let [y, m] = year.startsOn.split('-').map(Number);
  if (Number(year.startsOn.slice(8)) > 1) m += 1;
  for (;;) {
    if (m > 12) {
      y += 1;
      m = 1;
    }
    const first = `${y}-${String(m).padStart(2, '0')}-01`;
    if (first > year.endsOn) return months;
    months.push(first);
    m += 1;
  }
}

/** Whether a Sollstellung is valid on a day. */
export function validOn(charge: Pick<ChargeRow, 'validFrom' | 'validUntil'>, day: string): boolean {
  return charge.validFrom <= day && (charge.validUntil === null || charge.validUntil >= day);
}

/** The Soll lines of a charge in [from, to]: one per 1st of a month it is valid on. */
export function dueDates(charge: ChargeRow, from: string, to: string): string[] {
  const dates: string[] = [];
  let [y, m] = charge.validFrom.split('-').map(Number);
  if (Number(charge.validFrom.slice(8)) > 1) m += 1;
  for (;;) {
    if (m > 12) {
      y += 1;
      m = 1;
    }
    const first = `${y}-${String(m).padStart(2, '0')}-01`;
    if (first > to || (charge.validUntil !== null && first > charge.validUntil)) return dates;
    if (first >= from) dates.push(first);
    m += 1;
  }
}

/** Cents per m², rounded half away from zero to whole cents; null without an area. */
export function perSqm(cents: number, areaSqm: number | null): number | null {
  if (!areaSqm || areaSqm <= 0) return null;
  // The area has two decimals at most: work in hundredths of a m² to stay in integers.
  const hundredths = Math.round(areaSqm * 100);
  return Math.sign(cents) * Math.round((Math.abs(cents) * 100) / hundredths);
}

// ---------------------------------------------------------------- Betrag m² aus Sollwerten

export type SqmLine = { unitId: string; unitNumber: string; areaSqm: number | null; byKind: Record<string, number>; total: number; perSqm: number | null };
export type SqmReport = {
  day: string;
  kinds: string[];
  lines: SqmLine[];
  totals: Record<string, number>;
  total: number;
  areaSqm: number;
  averagePerSqm: number | null;
};

/** Per unit the monthly Soll by kind valid on `day`, and per m² of its area; totals and the average per m² of the units with an area. */
export function sqmReport(units: UnitRow[], accounts: PersonalAccountRow[], charges: ChargeRow[], day: string, kinds: readonly string[]): SqmReport {
  const unitOfAccount = new Map(accounts.map((account) => [account.id, account.unitId]));
  const byUnit = new Map<string, Record<string, number>>();
  for (const charge of charges) {
    if (!validOn(charge, day)) continue;
    const unitId = unitOfAccount.get(charge.personalAccountId);
    if (!unitId) continue;
    const sums = byUnit.get(unitId) ?? {};
    sums[charge.kind] = (sums[charge.kind] ?? 0) + charge.monthlyCents;
    byUnit.set(unitId, sums);
  }
  const usedKinds = kinds.filter((kind) => [...byUnit.values()].some((sums) => kind in sums));
  const totals: Record<string, number> = {};
  let total = 0;
  let areaWithSoll = 0;
  let totalWithArea = 0;
  const lines = units.map((unit) => {
    const sums = byUnit.get(unit.id) ?? {};
    const unitTotal = Object.values(sums).reduce((a, b) => a + b, 0);
    for (const [kind, cents] of Object.entries(sums)) totals[kind] = (totals[kind] ?? 0) + cents;
    total += unitTotal;
    if (unit.areaSqm) {
      areaWithSoll += Math.round(unit.areaSqm * 100);
      totalWithArea += unitTotal;
    }
    return { unitId: unit.id, unitNumber: unit.number, areaSqm: unit.areaSqm, byKind: sums, total: unitTotal, perSqm: perSqm(unitTotal, unit.areaSqm) };
  });
  return { day, kinds: usedKinds, lines, totals, total, areaSqm: areaWithSoll / 100, averagePerSqm: perSqm(totalWithArea, areaWithSoll / 100) };
}

// ---------------------------------------------------------------- Einnahme/Überschuss

export type SurplusLine = { account: LedgerAccountRow; months: number[]; total: number };
export type SurplusReport = {
  months: string[];
  income: SurplusLine[];
  expense: SurplusLine[];
  incomeByMonth: number[];
  expenseByMonth: number[];
  surplusByMonth: number[];
  incomeTotal: number;
  expenseTotal: number;
  surplus: number;
};

/** Income and expenses by Sachkonto and month, and the surplus (Einnahme and Ausgabe accounts only). */
export function surplusReport(year: Year, accounts: LedgerAccountRow[], sums: MonthSumRow[]): SurplusReport {
  const months = monthStarts(year).map((first) => first.slice(0, 7));
  const index = new Map(months.map((month, i) => [month, i]));
  const lineOf = new Map<string, SurplusLine>();
  for (const account of accounts)
    if (account.kind === 'income' || account.kind === 'expense') lineOf.set(account.id, { account, months: months.map(() => 0), total: 0 });
  for (const sum of sums) {
    const line = lineOf.get(sum.ledgerAccountId);
    const i = index.get(sum.month);
    if (!line || i === undefined) continue;
    line.months[i] += sum.cents;
    line.total += sum.cents;
  }
  const lines = [...lineOf.values()];
  const income = lines.filter((line) => line.account.kind === 'income');
  const expense = lines.filter((line) => line.account.kind === 'expense');
  const byMonth = (list: SurplusLine[]) => months.map((_, i) => list.reduce((sum, line) => sum + line.months[i], 0));
  const incomeByMonth = byMonth(income);
  const expenseByMonth = byMonth(expense);
  const incomeTotal = incomeByMonth.reduce((a, b) => a + b, 0);
  const expenseTotal = expenseByMonth.reduce((a, b) => a + b, 0);
  return {
    months,
    income,
    expense,
    incomeByMonth,
    expenseByMonth,
    surplusByMonth: months.map((_, i) => incomeByMonth[i] - expenseByMonth[i]),
    incomeTotal,
    expenseTotal,
    surplus: incomeTotal - expenseTotal,
  };
}

// ---------------------------------------------------------------- Hausabrechnung

export type PersonalBalance = { account: PersonalAccountRow; opening: number; soll: number; paid: number; closing: number };
export type StatementReport = {
  groups: Array<{ kind: LedgerAccountRow['kind']; lines: Array<{ account: LedgerAccountRow; total: number }>; total: number }>;
  total: number;
  balances: PersonalBalance[];
};

/** Payments of a personal account before the year and inside it (rows of ./data.ts). */
export type PaymentSumRow = { personalAccountId: string; before: number; inside: number };

/** Per Sachkonto the year's total (grouped by kind), and per personal account opening, Soll, payments and closing balance. */
export function statementReport(
  year: Year,
  accounts: LedgerAccountRow[],
  sums: MonthSumRow[],
  personalAccounts: PersonalAccountRow[],
  charges: ChargeRow[],
  payments: PaymentSumRow[],
): StatementReport {
  const totals = new Map<string, number>();
  for (const sum of sums) totals.set(sum.ledgerAccountId, (totals.get(sum.ledgerAccountId) ?? 0) + sum.cents);
  const kinds: Array<LedgerAccountRow['kind']> = ['income', 'expense', 'reserve', 'clearing'];
  const groups = kinds
    .map((kind) => {
      const lines = accounts.filter((account) => account.kind === kind).map((account) => ({ account, total: totals.get(account.id) ?? 0 }));
      return { kind, lines, total: lines.reduce((sum, line) => sum + line.total, 0) };
    })
    .filter((group) => group.lines.length > 0);
  const paid = new Map(payments.map((row) => [row.personalAccountId, row]));
  const balances = personalAccounts.map((account) => {
    const own = charges.filter((charge) => charge.personalAccountId === account.id);
    const sollBefore = sollOf(own, '0000-01-01', dayBefore(year.startsOn));
    const soll = sollOf(own, year.startsOn, year.endsOn);
    const payment = paid.get(account.id) ?? { before: 0, inside: 0 };
    const opening = sollBefore - payment.before;
    return { account, opening, soll, paid: payment.inside, closing: opening + soll - payment.inside };
  });
  return { groups, total: groups.reduce((sum, group) => sum + group.total, 0), balances };
}

function sollOf(charges: ChargeRow[], from: string, to: string): number {
  return charges.reduce((sum, charge) => sum + dueDates(charge, from, to).length * charge.monthlyCents, 0);
}

/** The calendar day before an ISO date. */
export function dayBefore(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- Kontoauszug Mieter / Eigentümer

export type PersonalLine = {
  date: string;
  kind: 'soll' | 'payment';
  label: string;
  documentNumber: string | null;
  soll: number;
  paid: number;
  balance: number;
};
export type PersonalStatement = { opening: number; lines: PersonalLine[]; soll: number; paid: number; closing: number };

/** A personal account over the year: opening balance, every Soll and payment by date with the running balance, closing balance. */
export function personalStatement(year: Year, charges: ChargeRow[], entries: EntryRow[], kindLabel: (kind: string) => string): PersonalStatement {
  const sollBefore = sollOf(charges, '0000-01-01', dayBefore(year.startsOn));
  const paidBefore = entries.filter((entry) => entry.bookedOn < year.startsOn).reduce((sum, entry) => sum + entry.amountCents, 0);
  const opening = sollBefore - paidBefore;
  const raw: Array<Omit<PersonalLine, 'balance'>> = [];
  for (const charge of charges)
    for (const date of dueDates(charge, year.startsOn, year.endsOn))
      raw.push({ date, kind: 'soll', label: kindLabel(charge.kind), documentNumber: null, soll: charge.monthlyCents, paid: 0 });
  for (const entry of entries)
    if (entry.bookedOn >= year.startsOn && entry.bookedOn <= year.endsOn)
      raw.push({ date: entry.bookedOn, kind: 'payment', label: entry.text ?? '', documentNumber: entry.documentNumber, soll: 0, paid: entry.amountCents });
  // By date; on one day the Soll first, so a payment on the 1st settles that month's Soll.
  raw.sort((a, b) => a.date.localeCompare(b.date) || (a.kind === b.kind ? 0 : a.kind === 'soll' ? -1 : 1));
  let balance = opening;
  const lines = raw.map((line) => {
    balance += line.soll - line.paid;
    return { ...line, balance };
  });
  const soll = raw.reduce((sum, line) => sum + line.soll, 0);
  const paid = raw.reduce((sum, line) => sum + line.paid, 0);
  return { opening, lines, soll, paid, closing: opening + soll - paid };
}

// ---------------------------------------------------------------- Kontoauszug Sachkonto

export type LedgerLine = { entry: EntryRow; running: number };
export type LedgerStatement = { lines: LedgerLine[]; total: number };

/** Every booking of one Sachkonto in the year by date, with the running total. */
export function ledgerStatement(entries: EntryRow[]): LedgerStatement {
  // The id last, so that the order (and with it a page of the statement) is the same on every request.
  const sorted = [...entries].sort(
    (a, b) => a.bookedOn.localeCompare(b.bookedOn) || (a.documentNumber ?? '').localeCompare(b.documentNumber ?? '') || a.id.localeCompare(b.id),
  );
  let running = 0;
  const lines = sorted.map((entry) => {
    running += entry.amountCents;
    return { entry, running };
  });
  return { lines, total: running };
}

// ---------------------------------------------------------------- Leerstandsliste

export type VacancyLine = { unit: UnitRow; periods: Array<{ from: string; to: string }>; days: number; lostCents: number | null };
export type VacancyReport = { lines: VacancyLine[]; days: number; lostCents: number; areaSqm: number };

/**
 * Rental units without a running rental contract in the year: the vacant periods, their days,
 * and the Soll lost where the last contract before had one (its monthly Soll on its last
 * day, pro rata per day of each month, rounded per month). With a Stichtag (`day`, a day of
 * the year) only the units vacant on that day, each with the vacant period it is in, from
 * its start (at the earliest the year's first day) up to the Stichtag: days and Soll lost so far.
 */
export function vacancyReport(
  year: Year,
  units: UnitRow[],
  contracts: ContractRow[],
  accounts: PersonalAccountRow[],
  charges: ChargeRow[],
  day: string | null = null,
): VacancyReport {
  const lines: VacancyLine[] = [];
  const rentalsOf = new Map<string, ContractRow[]>();
  for (const contract of contracts) if (contract.kind === 'rental') rentalsOf.set(contract.unitId, [...(rentalsOf.get(contract.unitId) ?? []), contract]);
  const span = day ? { startsOn: year.startsOn, endsOn: day } : year;
  for (const unit of units) {
    const rentals = rentalsOf.get(unit.id) ?? [];
    let periods = vacantPeriods(span, rentals);
    // On a Stichtag: vacant that day means a period that reaches it; only that one counts.
    if (day) periods = periods.filter((period) => period.to === day);
    if (periods.length === 0) continue;
    const days = periods.reduce((sum, period) => sum + daysBetween(period.from, period.to) + 1, 0);
    // null ("—") when no vacant period follows a contract with a Soll.
    let lost: number | null = null;
    for (const period of periods) {
      const last = rentals
        .filter((contract) => contract.endsOn !== null && contract.endsOn < period.from)
        .sort((a, b) => b.endsOn!.localeCompare(a.endsOn!))[0];
      const monthly = last ? monthlySollOf(last, accounts, charges) : 0;
      if (monthly) lost = (lost ?? 0) + proRata(monthly, period);
    }
    lines.push({ unit, periods, days, lostCents: lost });
  }
  return {
    lines,
    days: lines.reduce((sum, line) => sum + line.days, 0),
    lostCents: lines.reduce((sum, line) => sum + (line.lostCents ?? 0), 0),
    areaSqm: lines.reduce((sum, line) => sum + Math.round((line.unit.areaSqm ?? 0) * 100), 0) / 100,
  };
}

function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = dayAfter(day)) days.push(day);
  return days;
}

function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** The year minus the rental contracts' spans: the vacant periods, in order (interval arithmetic; no walk over every day). */
function vacantPeriods(year: Year, rentals: ContractRow[]): Array<{ from: string; to: string }> {
  const spans = rentals
    .map((contract) => ({
      from: [contract.startsOn, year.startsOn].sort()[1],
      to: contract.endsOn === null ? year.endsOn : [contract.endsOn, year.endsOn].sort()[0],
    }))
    .filter((span) => span.from <= span.to)
    .sort((a, b) => a.from.localeCompare(b.from));
  const periods: Array<{ from: string; to: string }> = [];
  let cursor = year.startsOn;
  for (const span of spans) {
    if (span.from > cursor) periods.push({ from: cursor, to: dayBefore(span.from) });
    if (span.to >= cursor) cursor = dayAfter(span.to);
  }
  if (cursor <= year.endsOn) periods.push({ from: cursor, to: year.endsOn });
  return periods;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function monthlySollOf(contract: ContractRow, accounts: PersonalAccountRow[], charges: ChargeRow[]): number {
  const ids = new Set(accounts.filter((account) => account.contractId === contract.id).map((account) => account.id));
  return charges
    .filter((charge) => ids.has(charge.personalAccountId) && validOn(charge, contract.endsOn!))
    .reduce((sum, charge) => sum + charge.monthlyCents, 0);
}

/** The monthly amount for the days of a period, month by month: days / days of the month, rounded per month. */
function proRata(monthly: number, period: { from: string; to: string }): number {
  const byMonth = new Map<string, number>();
  for (const day of eachDay(period.from, period.to)) byMonth.set(day.slice(0, 7), (byMonth.get(day.slice(0, 7)) ?? 0) + 1);
  let cents = 0;
  for (const [month, days] of byMonth) {
    const [y, m] = month.split('-').map(Number);
    const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
    cents += Math.round((monthly * days) / length);
  }
  return cents;
}
