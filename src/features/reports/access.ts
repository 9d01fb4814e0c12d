import type { Property, ReportCode } from '../../entities/index.ts';
import type { PropertyAccess } from '../access/service.ts';
import type { FiscalYearRow, PersonalAccountInfo, ReportSettingRow } from './data.ts';

// Who sees which Berichte (seed 004, issue 18): the one rule, used by the scopes
// (src/scopes/portal.ts, src/scopes/staff.ts) and by the pages when they name people.
//
// - Eigentümer see the house-level reports and their own Kontoauszug only; where a line
//   concerns another personal account it names the Einheit, never the person.
// - The Verwaltungsbeirat (Beirat) may see names.
// - Hausbesitzer see every report of their property, with every tenant's Kontoauszug.
// - Mieter, Bewohner, Gewerbemitarbeiter and Dienstleister see no Berichte (a 404).
// - Staff see every report in the console, with names.
// Owners and Hausbesitzer see only the reports staff published for the property, and only
// the Wirtschaftsjahre from the one chosen on; the Leerstandsliste is never offered for a WEG.

export type ReportViewer = {
  kind: 'staff' | 'property_owner' | 'advisory_board' | 'owner';
  /** The viewer's contacts (their own personal accounts). */
  contactIds: string[];
  /** Names of other account holders are shown. */
  seesNames: boolean;
  /** Every personal account's Kontoauszug opens, not only the viewer's own. */
  seesAllAccounts: boolean;
  /** Publication settings apply (portal); staff see everything. */
  published: boolean;
};

/** What a portal user may see of the Berichte of a property, or null: none at all. */
export function portalReportViewer(access: PropertyAccess): ReportViewer | null {
  const roles = access.activeRoles;
  const base = { contactIds: access.contactIds, published: true };
  if (roles.includes('property_owner')) return { ...base, kind: 'property_owner', seesNames: true, seesAllAccounts: true };
  if (roles.includes('owner') && roles.includes('advisory_board')) return { ...base, kind: 'advisory_board', seesNames: true, seesAllAccounts: false };
  if (roles.includes('owner')) return { ...base, kind: 'owner', seesNames: false, seesAllAccounts: false };
  return null;
}

/** Staff in the console: every report, every account, with names. */
export const STAFF_REPORT_VIEWER: ReportViewer = { kind: 'staff', contactIds: [], seesNames: true, seesAllAccounts: true, published: false };

/** The reports a property has at all: no Leerstandsliste for a WEG (owner-occupied units have no rental contract). */
export function reportsOfProperty(property: Pick<Property, 'kind'>): ReportCode[] {
  const all: ReportCode[] = ['sqm', 'surplus', 'statement', 'vacancy'];
  return property.kind === 'weg' ? all.filter((code) => code !== 'vacancy') : all;
}

/** The reports this viewer may open in this property. */
export function visibleReports(viewer: ReportViewer, property: Pick<Property, 'kind'>, setting: ReportSettingRow): ReportCode[] {
  const reports = reportsOfProperty(property);
  return viewer.published ? reports.filter((code) => setting.published.includes(code)) : reports;
}

/** The Wirtschaftsjahre this viewer may choose (from the published one on). */
export function visibleYears(viewer: ReportViewer, setting: ReportSettingRow, years: FiscalYearRow[]): FiscalYearRow[] {
  if (!viewer.published || !setting.publishedFrom) return years;
  return years.filter((year) => year.startsOn >= setting.publishedFrom!);
}

/** Whether the viewer may open this personal account's Kontoauszug: their own, or every one for Hausbesitzer and staff. */
export function mayOpenPersonalAccount(viewer: ReportViewer, account: Pick<PersonalAccountInfo, 'contactIds'>): boolean {
  return viewer.seesAllAccounts || account.contactIds.some((id) => viewer.contactIds.includes(id));
}

/** How a personal account is named to the viewer: its holder where names may be shown (or it is their own), else its Einheit. */
export function accountHolderLabel(viewer: ReportViewer, account: Pick<PersonalAccountInfo, 'contactIds' | 'holder' | 'unitNumber'>): string {
  const own = account.contactIds.some((id) => viewer.contactIds.includes(id));
  return viewer.seesNames || own ? `${account.unitNumber} · ${account.holder}` : account.unitNumber;
}
