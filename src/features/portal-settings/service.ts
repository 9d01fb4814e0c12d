import type { Em } from '../../db/orm.ts';
import { Organization, Property, type StaffUser } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { likePattern } from '../../http/paging.ts';
import { applyAccessWindows } from '../access/windows.ts';
import { auditStaffAction } from '../audit/service.ts';

/**
 * Administration > Kundenportal > Einstellungen (seed 001): the switches by section, in the
 * order of the help article. The template, the parser and the audit row all follow this list.
 */
export const SETTING_GROUPS = [
  { key: 'service', switches: ['faqEnabled', 'bookingsEnabled'] },
  {
    key: 'community',
    switches: ['directMessagesEnabled', 'communityEnabled', 'commercialBulletinEnabled', 'neighbourProfileEnabled', 'neighbourInvitesEnabled'],
  },
  { key: 'registration', switches: ['confirmContractNumber'], days: 'invitationValidDays' },
  {
    key: 'userQuestions',
    switches: ['defaultContactPreferenceOnline', 'askContactPreference', 'askResidentQuestion', 'askContactDataConfirmation', 'residentsMayAddUsers'],
  },
] as const;

type SwitchName = (typeof SETTING_GROUPS)[number]['switches'][number];
const SWITCHES: SwitchName[] = SETTING_GROUPS.flatMap((g) => [...g.switches]);

/**
 * Switches that hold only on the properties chosen with them (seed 001: "In dem Dropdown-Menü
 * können Sie entscheiden, für welche Liegenschaften dieser Bereich zur Verfügung stehen soll").
 * The choice is the property column of the same name; ./switches.ts combines the two.
 */
export const PER_PROPERTY_SWITCHES = ['bookingsEnabled', 'communityEnabled'] as const;
export type PerPropertySwitch = (typeof PER_PROPERTY_SWITCHES)[number];
export const isPerPropertySwitch = (name: string): name is PerPropertySwitch => (PER_PROPERTY_SWITCHES as readonly string[]).includes(name);
/** The form field that carries the chosen properties' ids. */
export const propertiesField = (name: PerPropertySwitch) => `${name}Properties` as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const INVITATION_DAYS = { min: 1, max: 365 } as const;
export const ACCESS_WINDOW_DAYS = { min: 1, max: 730 } as const;

/** The Einstellungen form as shown: switches as booleans, the number as typed, the chosen properties' ids. */
export type SettingsForm = Record<SwitchName, boolean> & { invitationValidDays: string; properties: Record<PerPropertySwitch, string[]> };

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

export async function settingsFormOf(em: Em, org: Organization): Promise<SettingsForm> {
  const properties = {} as SettingsForm['properties'];
  for (const name of PER_PROPERTY_SWITCHES) {
    const chosen = await em.find(Property, { organization: org.id, [name]: true }, { fields: ['id'], orderBy: { name: 'asc' } });
    properties[name] = chosen.map((p) => p.id);
  }
  const form = { invitationValidDays: String(org.invitationValidDays), properties } as SettingsForm;
  for (const name of SWITCHES) form[name] = org[name];
  return form;
}

export function parseSettingsForm(body: Body): SettingsForm {
  const properties = {} as SettingsForm['properties'];
  for (const name of PER_PROPERTY_SWITCHES) {
    const sent = body[propertiesField(name)];
    properties[name] = [...new Set((Array.isArray(sent) ? sent : sent === undefined ? [] : [sent]).map(String))];
  }
  const form = { invitationValidDays: text(body, 'invitationValidDays'), properties } as SettingsForm;
  for (const name of SWITCHES) form[name] = checked(body, name);
  return form;
}

/** The Verwaltung's properties with these ids, for showing a choice by name. */
export async function propertiesByIds(em: Em, organizationId: string, ids: string[]) {
  const valid = ids.filter((id) => UUID.test(id));
  if (valid.length === 0) return [];
  return em.find(Property, { organization: organizationId, id: { $in: valid } }, { fields: ['id', 'name', 'archivedAt'], orderBy: { name: 'asc' } });
}

const CHOICES_SHOWN = 20;

/**
 * The properties offered to add to a choice: those whose name contains the search, or without a
 * search the first ones by name; never those already chosen. A Verwaltung with more than fit
 * searches (the list stays small on a phone and for a Verwaltung with a thousand properties).
 */
export async function propertyCandidates(em: Em, organizationId: string, search: string, chosenIds: string[]) {
  const chosen = chosenIds.filter((id) => UUID.test(id));
  const found = await em.find(
    Property,
    {
      organization: organizationId,
      archivedAt: null,
      ...(search ? { name: { $ilike: likePattern(search) } } : {}),
      ...(chosen.length ? { id: { $nin: chosen } } : {}),
    },
    { fields: ['id', 'name'], orderBy: { name: 'asc' }, limit: CHOICES_SHOWN + 1 },
  );
  return { found: found.slice(0, CHOICES_SHOWN), more: found.length > CHOICES_SHOWN };
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
  const errors: FieldErrors = {};
  const validDays = days(form.invitationValidDays, INVITATION_DAYS);
  if (validDays === null) errors.invitationValidDays = 'portal-settings:errors.invitationValidDays';
  for (const name of PER_PROPERTY_SWITCHES) {
    const known = await propertiesByIds(em, admin.organization.id, form.properties[name]);
    if (known.length !== form.properties[name].length) errors[propertiesField(name)] = 'portal-settings:errors.unknownProperty';
  }
  if (validDays === null || Object.keys(errors).length > 0) return errors;
  return em.transactional(async (tx) => {
    const org = await tx.findOneOrFail(Organization, admin.organization.id);
    const changes = assignChanges(org, { ...Object.fromEntries(SWITCHES.map((name) => [name, form[name]])), invitationValidDays: validDays });
    for (const name of PER_PROPERTY_SWITCHES) Object.assign(changes, await chooseProperties(tx, org.id, name, form.properties[name]));
    audit(tx, admin, changes, now);
    await tx.flush();
    return null;
  });
}

/** Marks exactly these properties as chosen for the switch; returns the change for the audit row. */
async function chooseProperties(em: Em, organizationId: string, name: PerPropertySwitch, ids: string[]): Promise<Changes> {
  const before = (await em.find(Property, { organization: organizationId, [name]: true }, { fields: ['id'] })).map((p) => p.id);
  const added = ids.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !ids.includes(id));
  if (added.length === 0 && removed.length === 0) return {};
  if (added.length) await em.nativeUpdate(Property, { organization: organizationId, id: { $in: added } }, { [name]: true });
  if (removed.length) await em.nativeUpdate(Property, { organization: organizationId, id: { $in: removed } }, { [name]: false });
  return { [propertiesField(name)]: { from: before.toSorted(), to: ids.toSorted() } };
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
