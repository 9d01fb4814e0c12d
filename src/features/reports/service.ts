import type { TFunction } from 'i18next';
import { berlinDate } from '../../clock.ts';
import type { Em } from '../../db/orm.ts';
import { REPORT_CODES, ReportSetting, type Property, type ReportCode } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { accountHolderLabel, mayOpenPersonalAccount, visibleReports, visibleYears, type ReportViewer } from './access.ts';
import { ledgerStatement, personalStatement, sqmReport, statementReport, surplusReport, vacancyReport } from './compute.ts';
import {
  chargesOf,
  contractsOf,
  entriesOfLedgerAccount,
  fiscalYearsOf,
  ledgerAccountOf,
  ledgerAccountsOf,
  monthSumsOf,
  paymentSumsOf,
  paymentsOf,
  personalAccountsOf,
  reportSettingOf,
  unitsOf,
  yearHasData,
  type FiscalYearRow,
  type PersonalAccountInfo,
  type ReportSettingRow,
} from './data.ts';
import {
  accountName,
  germanDay,
  ledgerDocument,
  personalDocument,
  sqmDocument,
  statementDocument,
  surplusDocument,
  vacancyDocument,
  type ReportDocument,
} from './present.ts';
import { TARGET_CHARGE_KINDS } from '../../entities/index.ts';

// The Berichte of a property (seed 004): which ones a viewer has (./access.ts), the chosen
// Wirtschaftsjahr, and each report as a document of tables (./present.ts) from the figures of
// ./compute.ts over the plain rows of ./data.ts. The portal and the console's "Berichte" tab
// render the same documents.

/** The URL path of each report under ".../berichte/". */
export const REPORT_SLUGS: Record<ReportCode, string> = {
  sqm: 'betrag-m2',
  surplus: 'einnahme-ueberschuss',
  statement: 'hausabrechnung',
  vacancy: 'leerstandsliste',
};

export type ReportsContext = {
  viewer: ReportViewer;
  property: Property;
  setting: ReportSettingRow;
  reports: ReportCode[];
  years: FiscalYearRow[];
  /** The chosen Wirtschaftsjahr; null when the property has none (for this viewer). */
  year: FiscalYearRow | null;
  today: string;
};

/** The Berichte of a property as this viewer sees them, for the Wirtschaftsjahr of `?jahr=` (default: the current or latest one). */
export async function reportsContext(em: Em, property: Property, viewer: ReportViewer, query: Record<string, unknown>, now: Date): Promise<ReportsContext> {
  const setting = await reportSettingOf(em, property.id);
  const years = visibleYears(viewer, setting, await fiscalYearsOf(em, property.id));
  const today = berlinDate(now);
  const wanted = typeof query.jahr === 'string' ? years.find((year) => year.id === query.jahr) : undefined;
  const year = wanted ?? years.find((y) => y.startsOn <= today) ?? years.at(-1) ?? null;
  return { viewer, property, setting, reports: visibleReports(viewer, property, setting), years, year, today };
}

/** A personal account of the property whose Kontoauszug this viewer may open, or a 404 (another owner's). */
export async function openPersonalAccount(em: Em, context: ReportsContext, accountId: string): Promise<PersonalAccountInfo> {
  const [account] = isUuid(accountId) ? await personalAccountsOf(em, context.property.id, accountId) : [];
  if (!account || !mayOpenPersonalAccount(context.viewer, account)) throw new NotFoundError(`personal account ${accountId} not visible`);
  return account;
}

/** A Sachkonto of the property, or a 404. */
export async function openLedgerAccount(em: Em, context: ReportsContext, accountId: string) {
  const account = isUuid(accountId) ? await ledgerAccountOf(em, context.property.id, accountId) : null;
  if (!account) throw new NotFoundError(`ledger account ${accountId} not found`);
  return account;
}

/** `dayError`: the message key for a Stichtag that is no day of the chosen Wirtschaftsjahr (the report then shows the whole year). */
type Built = { document: ReportDocument | null; empty: boolean; dayError?: string };

function frame(t: TFunction, context: ReportsContext, title: string, slug: string): Omit<ReportDocument, 'facts' | 'tables'> {
  const year = context.year!;
  return {
    title,
    subtitle: t('reports:yearLabel', { from: germanDay(year.startsOn), to: germanDay(year.endsOn) }),
    fileName: `${slug}-${context.property.name}-${year.startsOn.slice(0, 4)}`.replace(/[^\p{L}\p{N}-]+/gu, '-'),
  };
}

/** The document of one report for the chosen year, or "no data" (a year without any Buchung or Sollstellung says so). */
export async function buildReport(
  em: Em,
  t: TFunction,
  context: ReportsContext,
  target: { code: ReportCode } | { personal: PersonalAccountInfo } | { ledger: Awaited<ReturnType<typeof openLedgerAccount>> },
  links: { base: string; query: string },
  options: { day?: unknown; page?: number | null } = {},
): Promise<Built> {
  const year = context.year;
  if (!year || !(await yearHasData(em, context.property.id, year))) return { document: null, empty: true };
  const propertyId = context.property.id;
  const kindLabel = (kind: string) => String(t(`reports:chargeKinds.${kind}`));

  if ('personal' in target) {
    const account = target.personal;
    const statement = personalStatement(year, await chargesOf(em, propertyId, account.id), await paymentsOf(em, propertyId, account.id, year), kindLabel);
    const base = frame(t, context, `${t('reports:titles.personal')}: ${accountHolderLabel(context.viewer, account)}`, 'kontoauszug');
    return { document: { ...base, ...personalDocument(t, statement) }, empty: false };
  }
  if ('ledger' in target) {
    const account = target.ledger;
    const [entries, accounts] = await Promise.all([entriesOfLedgerAccount(em, propertyId, account.id, year), personalAccountsOf(em, propertyId)]);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const nameOf = (id: string | null) => {
      const personal = id ? byId.get(id) : undefined;
      return personal ? accountHolderLabel(context.viewer, personal) : '';
    };
    const base = frame(t, context, `${t('reports:titles.ledger')}: ${accountName(account)}`, 'sachkonto');
    return { document: { ...base, ...ledgerDocument(t, ledgerStatement(entries), nameOf, options.page ?? null) }, empty: false };
  }

  const title = String(t(`reports:titles.${target.code}`));
  const base = frame(t, context, title, REPORT_SLUGS[target.code]);
  switch (target.code) {
    case 'sqm': {
      const day = typeof options.day === 'string' && options.day >= year.startsOn && options.day <= year.endsOn ? options.day : clamp(context.today, year);
      const [units, accounts, charges] = await Promise.all([unitsOf(em, propertyId), personalAccountsOf(em, propertyId), chargesOf(em, propertyId)]);
      return { document: { ...base, ...sqmDocument(t, sqmReport(units, accounts, charges, day, TARGET_CHARGE_KINDS)) }, empty: false };
    }
    case 'surplus': {
      const [accounts, sums] = await Promise.all([ledgerAccountsOf(em, propertyId), monthSumsOf(em, propertyId, year)]);
      return { document: { ...base, ...surplusDocument(t, surplusReport(year, accounts, sums)) }, empty: false };
    }
    case 'statement': {
      const [accounts, sums, personal, charges, payments] = await Promise.all([
        ledgerAccountsOf(em, propertyId),
        monthSumsOf(em, propertyId, year),
        personalAccountsOf(em, propertyId),
        chargesOf(em, propertyId),
        paymentSumsOf(em, propertyId, year),
      ]);
      // Owners see only their own personal accounts' lines; Hausbesitzer, Beirat and staff see every one's
      // (the Beirat without links to the others' Kontoauszüge).
      const shown = personal.filter((account) => context.viewer.seesNames || mayOpenPersonalAccount(context.viewer, account));
      const report = statementReport(year, accounts, sums, shown, charges, payments);
      const byId = new Map(shown.map((a) => [a.id, a]));
      const document = statementDocument(t, report, {
        ledger: (id) => `${links.base}/hausabrechnung/sachkonten/${id}${links.query}`,
        personal: (id) => (mayOpenPersonalAccount(context.viewer, byId.get(id)!) ? `${links.base}/hausabrechnung/personenkonten/${id}${links.query}` : null),
        holder: (balance) => accountHolderLabel(context.viewer, byId.get(balance.account.id)!),
      });
      return { document: { ...base, ...document }, empty: false };
    }
    case 'vacancy': {
      const [units, contracts, accounts, charges] = await Promise.all([
        unitsOf(em, propertyId),
        contractsOf(em, propertyId),
        personalAccountsOf(em, propertyId),
        chargesOf(em, propertyId),
      ]);
      // In a mixed property only the rental units: those that ever had a rental contract.
      const rentalUnits =
        context.property.kind === 'mixed' ? units.filter((unit) => contracts.some((c) => c.unitId === unit.id && c.kind === 'rental')) : units;
      const day = stichtagOf(options.day, year);
      if (day === null)
        return {
          document: { ...base, ...vacancyDocument(t, vacancyReport(year, rentalUnits, contracts, accounts, charges)) },
          empty: false,
          dayError: 'reports:vacancy.badDay',
        };
      return {
        document: { ...base, ...vacancyDocument(t, vacancyReport(year, rentalUnits, contracts, accounts, charges, day || null), day || null) },
        empty: false,
      };
    }
  }
}

/**
 * The Stichtag of `?stichtag=`: '' when none was given, the day (ISO) when it is a day of the
 * year (the date field sends 2026-05-15; typed German 15.05.2026 is taken too), else null.
 */
export function stichtagOf(value: unknown, year: FiscalYearRow): string | null {
  const raw = typeof value === 'string' ? value.trim() : '';
  if (!raw) return '';
  const german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(raw);
  const day = german ? `${german[3]}-${german[2].padStart(2, '0')}-${german[1].padStart(2, '0')}` : raw;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return null;
  if (new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return null;
  return day >= year.startsOn && day <= year.endsOn ? day : null;
}

function clamp(day: string, year: FiscalYearRow): string {
  return day < year.startsOn ? year.startsOn : day > year.endsOn ? year.endsOn : day;
}

// ---------------------------------------------------------------- console setting

export type ReportSettingForm = { published: string[]; publishedFrom: string };

/** The setting as the console's form shows it: the published codes, and the id of the first Wirtschaftsjahr shown. */
export async function reportSettingForm(em: Em, property: Property): Promise<{ form: ReportSettingForm; years: FiscalYearRow[] }> {
  const setting = await reportSettingOf(em, property.id);
  const years = await fiscalYearsOf(em, property.id);
  const from = setting.publishedFrom ? (years.find((year) => year.startsOn === setting.publishedFrom)?.id ?? '') : '';
  return { form: { published: setting.published, publishedFrom: from }, years };
}

/** Saves which Berichte a property publishes to its owners and from which Wirtschaftsjahr; an unknown year is a field error. */
export async function saveReportSetting(em: Em, property: Property, body: Record<string, unknown>): Promise<{ errors: Record<string, string> } | { ok: true }> {
  const raw = body.published;
  const published = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .map(String)
    .filter((code): code is ReportCode => (REPORT_CODES as readonly string[]).includes(code));
  const fromId = typeof body.publishedFrom === 'string' ? body.publishedFrom : '';
  const years = await fiscalYearsOf(em, property.id);
  const from = fromId ? years.find((year) => year.id === fromId) : undefined;
  if (fromId && !from) return { errors: { publishedFrom: 'reports:setting.unknownYear' } };
  const setting = (await em.findOne(ReportSetting, { property })) ?? em.create(ReportSetting, { organization: property.organization, property, published: [] });
  setting.published = published;
  setting.publishedFrom = from?.startsOn ?? null;
  await em.flush();
  return { ok: true };
}
