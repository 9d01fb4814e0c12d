import type { Em } from '../../db/orm.ts';
import { Organization, type StaffUser } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { applyAccessWindows } from '../access/windows.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * Administration > Kundenportal > Einstellungen (seed 001): the switches by section, in the
 * order of the help article. The template, the parser and the audit row all follow this list.
 */
export const SETTING_GROUPS = [
  { key: 'service', switches: ['faqEnabled'] },
  { key: 'community', switches: ['neighbourInvitesEnabled'] },
  { key: 'registration', switches: ['confirmContractNumber'], days: 'invitationValidDays' },
  {
    key: 'userQuestions',
    switches: ['defaultContactPreferenceOnline', 'askContactPreference', 'askResidentQuestion', 'askContactDataConfirmation', 'residentsMayAddUsers'],
  },
] as const;

type SwitchName = (typeof SETTING_GROUPS)[number]['switches'][number];
const SWITCHES: SwitchName[] = SETTING_GROUPS.flatMap((g) => [...g.switches]);
export const INVITATION_DAYS = { min: 1, max: 365 } as const;
export const ACCESS_WINDOW_DAYS = { min: 1, max: 730 } as const;

/** The Einstellungen form as shown: switches as booleans, the number as typed. */
export type SettingsForm = Record<SwitchName, boolean> & { invitationValidDays: string };

/** Administration > Kundenportal > Rollen & Zugriffsrechte (seed 002), as shown. */
export type AccessWindowsForm = {
  preContractAccessEnabled: boolean;
  preContractAccessDays: string;
  postContractAccessEnabled: boolean;
  postContractAccessDays: string;
};

type Body = Record<string, unknown>;

/** A checkbox is on when the browser sent it at all; unchecked boxes are not sent. */
const checked = (body: Body, name: string) => body[name] !== undefined && body[name] !== '';
const text = (body: Body, name: string) => String(body[name] ?? '').trim();

/** Whole days within the bounds, or null. */
function days(value: string, bounds: { min: number; max: number }): number | null {
  if (!/^\d{1,4}$/.test(value)) return null;
  const n = Number(value);
  return n >= bounds.min && n <= bounds.max ? n : null;
}

export function settingsFormOf(org: Organization): SettingsForm {
  const form = { invitationValidDays: String(org.invitationValidDays) } as SettingsForm;
  for (const name of SWITCHES) form[name] = org[name];
  return form;
}

export function parseSettingsForm(body: Body): SettingsForm {
  const form = { invitationValidDays: text(body, 'invitationValidDays') } as SettingsForm;
  for (const name of SWITCHES) form[name] = checked(body, name);
  return form;
}

export function accessWindowsFormOf(org: Organization): AccessWindowsForm {
  return {
    preContractAccessEnabled: org.preContractAccessEnabled,
    preContractAccessDays: String(org.preContractAccessDays),
    postContractAccessEnabled: org.postContractAccessEnabled,
    postContractAccessDays: String(org.postContractAccessDays),
  };
}

export function parseAccessWindowsForm(body: Body): AccessWindowsForm {
  return {
    preContractAccessEnabled: checked(body, 'preContractAccessEnabled'),
    preContractAccessDays: text(body, 'preContractAccessDays'),
    postContractAccessEnabled: checked(body, 'postContractAccessEnabled'),
    postContractAccessDays: text(body, 'postContractAccessDays'),
  };
}

/** Saves the Einstellungen, or returns the problems of the form. Writes an audit row of what changed. */
export async function saveSettings(em: Em, admin: StaffUser, form: SettingsForm, now: Date): Promise<FieldErrors | null> {
  const validDays = days(form.invitationValidDays, INVITATION_DAYS);
  if (validDays === null) return { invitationValidDays: 'portal-settings:errors.invitationValidDays' };
  const org = await em.findOneOrFail(Organization, admin.organization.id);
  const changes = assignChanges(org, { ...Object.fromEntries(SWITCHES.map((name) => [name, form[name]])), invitationValidDays: validDays });
  audit(em, admin, changes, now);
  await em.flush();
  return null;
}

/**
 * Saves the access windows, or returns the problems of the form. The number of days is
 * required while its switch is on; while it is off, a valid number is kept and anything else
 * is ignored (the field may be left empty). Then applies the windows at once (seed 002:
 * "Die Aktivierung des Zugangs nach Vertragsende wird sofort wirksam"): grants, revocations,
 * ended sessions and their audit rows happen now, not at the next scheduled run.
 */
export async function saveAccessWindows(em: Em, admin: StaffUser, form: AccessWindowsForm, now: Date): Promise<FieldErrors | null> {
  const errors: FieldErrors = {};
  const pre = days(form.preContractAccessDays, ACCESS_WINDOW_DAYS);
  const post = days(form.postContractAccessDays, ACCESS_WINDOW_DAYS);
  if (form.preContractAccessEnabled && pre === null) errors.preContractAccessDays = 'portal-settings:errors.accessWindowDays';
  if (form.postContractAccessEnabled && post === null) errors.postContractAccessDays = 'portal-settings:errors.accessWindowDays';
  if (Object.keys(errors).length > 0) return errors;
  const org = await em.findOneOrFail(Organization, admin.organization.id);
  const changes = assignChanges(org, {
    preContractAccessEnabled: form.preContractAccessEnabled,
    ...(pre !== null ? { preContractAccessDays: pre } : {}),
    postContractAccessEnabled: form.postContractAccessEnabled,
    ...(post !== null ? { postContractAccessDays: post } : {}),
  });
  audit(em, admin, changes, now);
  await em.flush();
  if (Object.keys(changes).length > 0) await applyAccessWindows(em, now, org.id);
  return null;
}

type Changes = Record<string, { from: unknown; to: unknown }>;

/** Sets the values on the Verwaltung and returns those that differ, as from → to. */
function assignChanges(org: Organization, values: Record<string, boolean | number>): Changes {
  const changes: Changes = {};
  const current = org as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    if (current[name] === value) continue;
    changes[name] = { from: current[name], to: value };
    current[name] = value;
  }
  return changes;
}

/** One audit row per save that changed something. */
function audit(em: Em, admin: StaffUser, changes: Changes, now: Date) {
  if (Object.keys(changes).length === 0) return;
  auditStaffAction(em, admin, 'portal_settings.changed', { type: 'Organization', id: admin.organization.id }, { changes }, now);
}
