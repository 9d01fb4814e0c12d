import type { TFunction } from 'i18next';
import type { LedgerAccountRow } from './compute.ts';
import type { LedgerStatement, PersonalStatement, SqmReport, StatementReport, SurplusReport, VacancyReport } from './compute.ts';

// The computed figures (./compute.ts) as what every output shows: tables of cells, the same
// for the page, the CSV file and the PDF, so the three never disagree. Amounts are formatted
// here from integer cents (German: 1.234,56), never through a float.

export type Cell = { text: string; href?: string; numeric?: boolean };
export type Table = { caption: string; head: string[]; numeric: boolean[]; rows: Array<{ cells: Cell[]; total?: boolean }> };
export type ReportDocument = {
  title: string;
  /** "Wirtschaftsjahr 01.01.2026 – 31.12.2026" */
  subtitle: string;
  facts: Array<[string, string]>;
  tables: Table[];
  /** Server-rendered SVG (Einnahme/Überschuss). */
  chart?: string;
  /** File name without extension. */
  fileName: string;
  /** A page of a long report on the HTML page (Kontoauszug Sachkonto); CSV and PDF have every row. */
  paging?: { page: number; pages: number; total: number };
};

/** 123456 → "1.234,56"; -8000 → "-80,00". */
export function germanCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.trunc(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}${euros},${String(abs % 100).padStart(2, '0')}`;
}

/** "2026-07-01" → "01.07.2026". */
export function germanDay(day: string): string {
  return `${day.slice(8, 10)}.${day.slice(5, 7)}.${day.slice(0, 4)}`;
}

/** 65.5 → "65,50". */
export function germanArea(sqm: number | null): string {
  return sqm === null ? '' : germanCents(Math.round(sqm * 100));
}

const amount = (cents: number | null): Cell => ({ text: cents === null ? '—' : germanCents(cents), numeric: true });
const text = (value: string, href?: string): Cell => ({ text: value, href });

function table(caption: string, head: Array<[string, boolean]>, rows: Table['rows']): Table {
  return { caption, head: head.map(([label]) => label), numeric: head.map(([, numeric]) => numeric), rows };
}

export function sqmDocument(t: TFunction, report: SqmReport): Pick<ReportDocument, 'facts' | 'tables'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.unit'), false],
    [t('reports:columns.area'), true],
    ...report.kinds.map((kind): [string, boolean] => [t(`reports:chargeKinds.${kind}`), true]),
    [t('reports:columns.total'), true],
    [t('reports:columns.perSqm'), true],
  ];
  const rows: Table['rows'] = report.lines.map((line) => ({
    cells: [
      text(line.unitNumber),
      { text: germanArea(line.areaSqm), numeric: true },
      ...report.kinds.map((kind) => amount(line.byKind[kind] ?? 0)),
      amount(line.total),
      amount(line.perSqm),
    ],
  }));
  rows.push({
    total: true,
    cells: [
      text(t('reports:columns.sum')),
      { text: germanArea(report.areaSqm), numeric: true },
      ...report.kinds.map((kind) => amount(report.totals[kind] ?? 0)),
      amount(report.total),
      amount(report.averagePerSqm),
    ],
  });
  return {
    facts: [
      [t('reports:facts.day'), germanDay(report.day)],
      [t('reports:facts.monthlySoll'), `${germanCents(report.total)} €`],
      [t('reports:facts.averagePerSqm'), report.averagePerSqm === null ? '—' : `${germanCents(report.averagePerSqm)} €`],
    ],
    tables: [table(t('reports:sqm.caption'), head, rows)],
  };
}

export function surplusDocument(t: TFunction, report: SurplusReport): Pick<ReportDocument, 'facts' | 'tables' | 'chart'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.account'), false],
    ...report.months.map((month): [string, boolean] => [`${month.slice(5, 7)}/${month.slice(2, 4)}`, true]),
    [t('reports:columns.total'), true],
  ];
  const lines = (list: SurplusReport['income']) =>
    list.map((line) => ({ cells: [text(accountName(line.account)), ...line.months.map(amount), amount(line.total)] }));
  const sumRow = (label: string, months: number[], total: number) => ({ total: true, cells: [text(label), ...months.map(amount), amount(total)] });
  return {
    facts: [
      [t('reports:surplus.income'), `${germanCents(report.incomeTotal)} €`],
      [t('reports:surplus.expense'), `${germanCents(report.expenseTotal)} €`],
      [t('reports:surplus.surplus'), `${germanCents(report.surplus)} €`],
    ],
    tables: [
      table(t('reports:surplus.income'), head, [...lines(report.income), sumRow(t('reports:surplus.incomeSum'), report.incomeByMonth, report.incomeTotal)]),
      table(t('reports:surplus.expense'), head, [
        ...lines(report.expense),
        sumRow(t('reports:surplus.expenseSum'), report.expenseByMonth, report.expenseTotal),
      ]),
      table(t('reports:surplus.surplus'), head, [sumRow(t('reports:surplus.surplus'), report.surplusByMonth, report.surplus)]),
    ],
    chart: surplusChart(t, report),
  };
}

export function accountName(account: Pick<LedgerAccountRow, 'number' | 'name'>): string {
  return `${account.number} ${account.name}`;
}

/** Grouped bars per month (income, expenses) as SVG: readable without JavaScript and in print; the tables carry the same figures. */
function surplusChart(t: TFunction, report: SurplusReport): string {
  const max = Math.max(1, ...report.incomeByMonth.map(Math.abs), ...report.expenseByMonth.map(Math.abs));
  const width = 720;
  const height = 240;
  const top = 10;
  const bottom = 200;
  const left = 10;
  const step = (width - left) / Math.max(1, report.months.length);
  const bar = Math.max(2, step / 2 - 4);
  const h = (cents: number) => Math.round(((bottom - top) * Math.max(0, cents)) / max);
  const esc = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  const parts: string[] = [];
  report.months.forEach((month, i) => {
    const x = left + i * step;
    const income = report.incomeByMonth[i];
    const expense = report.expenseByMonth[i];
    const label = `${month.slice(5, 7)}/${month.slice(0, 4)}`;
    parts.push(
      `<rect class="chart-income" x="${x + 2}" y="${bottom - h(income)}" width="${bar}" height="${h(income)}"><title>${esc(`${label} ${t('reports:surplus.income')}: ${germanCents(income)} €`)}</title></rect>`,
      `<rect class="chart-expense" x="${x + 2 + bar + 2}" y="${bottom - h(expense)}" width="${bar}" height="${h(expense)}"><title>${esc(`${label} ${t('reports:surplus.expense')}: ${germanCents(expense)} €`)}</title></rect>`,
      `<text x="${x + step / 2}" y="${bottom + 16}" text-anchor="middle">${month.slice(5, 7)}</text>`,
    );
  });
  const title = esc(t('reports:surplus.chartTitle'));
  const desc = esc(t('reports:surplus.chartDescription', { income: germanCents(report.incomeTotal), expense: germanCents(report.expenseTotal) }));
  return `<svg class="report-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">${title}</title><desc id="chart-desc">${desc}</desc><line x1="${left}" y1="${bottom}" x2="${width}" y2="${bottom}" stroke="currentColor"/>${parts.join('')}<g class="chart-legend"><rect class="chart-income" x="${left}" y="${height - 14}" width="10" height="10"/><text x="${left + 14}" y="${height - 5}">${esc(t('reports:surplus.income'))}</text><rect class="chart-expense" x="${left + 120}" y="${height - 14}" width="10" height="10"/><text x="${left + 134}" y="${height - 5}">${esc(t('reports:surplus.expense'))}</text></g></svg>`;
}

export function statementDocument(
  t: TFunction,
  report: StatementReport,
  links: { ledger: (id: string) => string; personal: (id: string) => string | null; holder: (balance: StatementReport['balances'][number]) => string },
): Pick<ReportDocument, 'facts' | 'tables'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.account'), false],
    [t('reports:columns.total'), true],
  ];
  const rows: Table['rows'] = [];
  for (const group of report.groups) {
    for (const line of group.lines) rows.push({ cells: [text(accountName(line.account), links.ledger(line.account.id)), amount(line.total)] });
    rows.push({ total: true, cells: [text(t(`reports:accountKinds.${group.kind}`)), amount(group.total)] });
  }
  rows.push({ total: true, cells: [text(t('reports:columns.sum')), amount(report.total)] });
  const balanceHead: Array<[string, boolean]> = [
    [t('reports:columns.personalAccount'), false],
    [t('reports:columns.opening'), true],
    [t('reports:columns.soll'), true],
    [t('reports:columns.paid'), true],
    [t('reports:columns.closing'), true],
  ];
  const balanceRows = report.balances.map((balance) => ({
    cells: [
      text(links.holder(balance), links.personal(balance.account.id) ?? undefined),
      amount(balance.opening),
      amount(balance.soll),
      amount(balance.paid),
      amount(balance.closing),
    ],
  }));
  return {
    facts: [[t('reports:facts.total'), `${germanCents(report.total)} €`]],
    tables: [table(t('reports:statement.caption'), head, rows), table(t('reports:statement.personalCaption'), balanceHead, balanceRows)],
  };
}

export function personalDocument(t: TFunction, statement: PersonalStatement): Pick<ReportDocument, 'facts' | 'tables'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.date'), false],
    [t('reports:columns.text'), false],
    [t('reports:columns.documentNumber'), false],
    [t('reports:columns.soll'), true],
    [t('reports:columns.paid'), true],
    [t('reports:columns.balance'), true],
  ];
  const rows: Table['rows'] = [
    { total: true, cells: [text(''), text(t('reports:columns.opening')), text(''), text(''), text(''), amount(statement.opening)] },
    ...statement.lines.map((line) => ({
      cells: [
        text(germanDay(line.date)),
        text(line.label),
        text(line.documentNumber ?? ''),
        line.soll ? amount(line.soll) : text(''),
        line.paid ? amount(line.paid) : text(''),
        amount(line.balance),
      ],
    })),
    { total: true, cells: [text(''), text(t('reports:columns.closing')), text(''), amount(statement.soll), amount(statement.paid), amount(statement.closing)] },
  ];
  return {
    facts: [
      [t('reports:columns.opening'), `${germanCents(statement.opening)} €`],
      [t('reports:columns.soll'), `${germanCents(statement.soll)} €`],
      [t('reports:columns.paid'), `${germanCents(statement.paid)} €`],
      [t('reports:columns.closing'), `${germanCents(statement.closing)} €`],
    ],
    tables: [table(t('reports:personal.caption'), head, rows)],
  };
}

/** Rows of a Kontoauszug Sachkonto per page: the page stays small (6,000 bookings were 950 KiB of HTML); CSV and PDF keep every row. */
export const LEDGER_PAGE_SIZE = 200;

/**
 * The Kontoauszug Sachkonto. With `page` (the HTML page) only that page's bookings, between an
 * "Übertrag" row with the running total carried from the page before and one carried to the
 * next (the last page ends with the sum); without it (CSV, PDF) every booking.
 */
export function ledgerDocument(
  t: TFunction,
  statement: LedgerStatement,
  nameOf: (personalAccountId: string | null) => string,
  page: number | null = null,
): Pick<ReportDocument, 'facts' | 'tables' | 'paging'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.date'), false],
    [t('reports:columns.documentNumber'), false],
    [t('reports:columns.text'), false],
    [t('reports:columns.personalAccount'), false],
    [t('reports:columns.amount'), true],
    [t('reports:columns.running'), true],
  ];
  const pages = Math.max(1, Math.ceil(statement.lines.length / LEDGER_PAGE_SIZE));
  const shown = page === null ? null : Math.min(Math.max(1, page), pages);
  const first = shown === null ? 0 : (shown - 1) * LEDGER_PAGE_SIZE;
  const lines = shown === null ? statement.lines : statement.lines.slice(first, first + LEDGER_PAGE_SIZE);
  const carry = (running: number) => ({ total: true, cells: [text(''), text(''), text(t('reports:ledger.carried')), text(''), text(''), amount(running)] });
  const rows: Table['rows'] = [];
  if (first > 0) rows.push(carry(statement.lines[first - 1].running));
  for (const line of lines)
    rows.push({
      cells: [
        text(germanDay(line.entry.bookedOn)),
        text(line.entry.documentNumber ?? ''),
        text(line.entry.text ?? ''),
        text(nameOf(line.entry.personalAccountId)),
        amount(line.entry.amountCents),
        amount(line.running),
      ],
    });
  if (shown !== null && shown < pages) rows.push(carry(lines.at(-1)!.running));
  else rows.push({ total: true, cells: [text(''), text(''), text(t('reports:columns.sum')), text(''), amount(statement.total), text('')] });
  return {
    facts: [[t('reports:facts.total'), `${germanCents(statement.total)} €`]],
    tables: [table(t('reports:ledger.caption'), head, rows)],
    ...(shown !== null && { paging: { page: shown, pages, total: statement.lines.length } }),
  };
}

/** The Leerstandsliste over the year, or on a Stichtag (`day`): then the vacant units of that day, their days and Soll lost up to it. */
export function vacancyDocument(t: TFunction, report: VacancyReport, day: string | null = null): Pick<ReportDocument, 'facts' | 'tables'> {
  const head: Array<[string, boolean]> = [
    [t('reports:columns.unit'), false],
    [t('reports:columns.area'), true],
    [t('reports:columns.periods'), false],
    [t('reports:columns.days'), true],
    [t('reports:columns.lost'), true],
  ];
  const rows: Table['rows'] = report.lines.map((line) => ({
    cells: [
      text(line.unit.number),
      { text: germanArea(line.unit.areaSqm), numeric: true },
      text(line.periods.map((period) => `${germanDay(period.from)} – ${germanDay(period.to)}`).join(', ')),
      { text: String(line.days), numeric: true },
      amount(line.lostCents),
    ],
  }));
  rows.push({
    total: true,
    cells: [
      text(t('reports:columns.sum')),
      { text: germanArea(report.areaSqm), numeric: true },
      text(''),
      { text: String(report.days), numeric: true },
      amount(report.lostCents),
    ],
  });
  return {
    facts: [
      ...(day ? [[t('reports:facts.day'), germanDay(day)] as [string, string]] : []),
      [t('reports:vacancy.units'), String(report.lines.length)],
      [t('reports:columns.lost'), `${germanCents(report.lostCents)} €`],
    ],
    tables: [table(day ? t('reports:vacancy.captionOnDay', { day: germanDay(day) }) : t('reports:vacancy.caption'), head, rows)],
  };
}
