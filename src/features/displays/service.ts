import { randomBytes } from 'node:crypto';
import type { Em } from '../../db/orm.ts';
import { hashToken } from '../../auth/tokens.ts';
import { DISPLAY_ORIENTATIONS, Display, type DisplayOrientation, type Property, type StaffUser } from '../../entities/index.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { auditStaffAction } from '../audit/service.ts';

// Digitaler Hausaushang in the console: a property's screens, each with its secret address.
// Only a SHA-256 of the token is stored (like API keys); the address is shown once, on the
// answer that made it, and "Neue Adresse erzeugen" replaces it.

export const NAME_MAX = 100;
/** What a screen may show; each a checkbox of the form and a column of Display. */
export const DISPLAY_SECTIONS = ['showAnnouncements', 'showAppointments', 'showContactPersons', 'showManagement', 'showQrCode'] as const;
export type DisplaySection = (typeof DISPLAY_SECTIONS)[number];

export type DisplayForm = { name: string; orientation: DisplayOrientation } & Record<DisplaySection, boolean>;

export const NEW_DISPLAY_FORM: DisplayForm = {
  name: '',
  orientation: 'landscape',
  showAnnouncements: true,
  showAppointments: true,
  showContactPersons: true,
  showManagement: true,
  showQrCode: true,
};

/** 32 random bytes in base64url: the path segment of /aushang/<token>. */
export function generateDisplayToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The screen's public address. */
export function displayUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/aushang/${token}`;
}

/** The form as submitted; an unknown orientation is kept as given so the check can name it. */
export function readDisplayForm(body: Record<string, unknown> | undefined): DisplayForm & { orientationInput: string } {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : '');
  const ticked = (v: unknown) => v === '1' || v === 'on';
  const orientationInput = text(body?.orientation);
  return {
    name: text(body?.name),
    orientation: (DISPLAY_ORIENTATIONS as readonly string[]).includes(orientationInput) ? (orientationInput as DisplayOrientation) : 'landscape',
    orientationInput,
    showAnnouncements: ticked(body?.showAnnouncements),
    showAppointments: ticked(body?.showAppointments),
    showContactPersons: ticked(body?.showContactPersons),
    showManagement: ticked(body?.showManagement),
    showQrCode: ticked(body?.showQrCode),
  };
}

/** The form of an existing screen. */
export function formOfDisplay(display: Display): DisplayForm {
  const form = { name: display.name, orientation: display.orientation } as DisplayForm;
  for (const section of DISPLAY_SECTIONS) form[section] = display[section];
  return form;
}

/** Checks the form; field → i18n key. */
export function validateDisplay(form: DisplayForm & { orientationInput: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.name) errors.name = 'displays:errors.nameRequired';
  else if (form.name.length > NAME_MAX) errors.name = 'displays:errors.nameTooLong';
  if (!(DISPLAY_ORIENTATIONS as readonly string[]).includes(form.orientationInput)) errors.orientation = 'displays:errors.orientationInvalid';
  if (!DISPLAY_SECTIONS.some((section) => form[section])) errors.sections = 'displays:errors.sectionsRequired';
  return errors;
}

/** The screens of a property, oldest first (the EntityManager is scoped to the Verwaltung). */
export function listDisplays(em: Em, property: Property): Promise<Display[]> {
  return em.find(Display, { property: property.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

function apply(display: Display, form: DisplayForm) {
  display.name = form.name;
  display.orientation = form.orientation;
  for (const section of DISPLAY_SECTIONS) display[section] = form[section];
}

/** Gives the screen a new token (the old one stops working at once); returns the token, which is never stored. */
function newToken(display: Display): string {
  const token = generateDisplayToken();
  display.tokenHash = hashToken(token);
  display.tokenHint = token.slice(0, 6);
  return token;
}

const subject = (display: Display) => ({ type: 'Display', id: display.id });

/** Creates a screen of the property with its address; returns it and the token. */
export async function createDisplay(em: Em, staff: StaffUser, property: Property, form: DisplayForm, now: Date): Promise<{ display: Display; token: string }> {
  const display = em.create(Display, { organization: staff.organization, property, name: form.name, createdBy: staff, createdAt: now, updatedAt: now });
  apply(display, form);
  const token = newToken(display);
  auditStaffAction(em, staff, 'display.created', subject(display), { property: property.id, name: display.name }, now);
  await em.flush();
  return { display, token };
}

/** Saves name, orientation and what the screen shows; its address stays. */
export async function updateDisplay(em: Em, staff: StaffUser, display: Display, form: DisplayForm, now: Date) {
  apply(display, form);
  display.updatedAt = now;
  auditStaffAction(em, staff, 'display.updated', subject(display), formOfDisplay(display), now);
  await em.flush();
}

/** "Neue Adresse erzeugen": the screen needs the new address; the old one answers 404 from now on. */
export async function regenerateDisplayToken(em: Em, staff: StaffUser, display: Display, now: Date): Promise<string> {
  const token = newToken(display);
  display.updatedAt = now;
  auditStaffAction(em, staff, 'display.token_regenerated', subject(display), { name: display.name }, now);
  await em.flush();
  return token;
}

/** "Adresse widerrufen": the screen keeps its settings but its address answers 404 until a new one is made. */
export async function revokeDisplay(em: Em, staff: StaffUser, display: Display, now: Date) {
  if (!display.tokenHash) return;
  display.tokenHash = null;
  display.tokenHint = null;
  display.updatedAt = now;
  auditStaffAction(em, staff, 'display.revoked', subject(display), { name: display.name }, now);
  await em.flush();
}

/** Deletes the screen, and with it its address. */
export async function deleteDisplay(em: Em, staff: StaffUser, display: Display, now: Date) {
  auditStaffAction(em, staff, 'display.deleted', subject(display), { name: display.name }, now);
  em.remove(display);
  await em.flush();
}
