import type { Em } from '../../db/orm.ts';
import { ContactPerson, type Property } from '../../entities/index.ts';
import { ALL_PROPERTIES, moveWithinGroup, nextPosition, resolvePropertyChoice, type Direction } from '../faq/shared.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { isEmail } from '../login/service.ts';

export type ContactPersonForm = { property: string; name: string; role: string; phone: string; email: string };
export type { FieldErrors };

const PHONE = /^\+?[0-9 ()/.-]{3,50}$/;

/** The form as submitted, trimmed; missing fields are empty. */
export function contactPersonForm(body: Record<string, unknown> | undefined): ContactPersonForm {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  return {
    property: text(body?.property) || ALL_PROPERTIES,
    name: text(body?.name),
    role: text(body?.role),
    phone: text(body?.phone),
    email: text(body?.email),
  };
}

export function formOf(person: ContactPerson): ContactPersonForm {
  return { property: person.property?.id ?? ALL_PROPERTIES, name: person.name, role: person.role, phone: person.phone ?? '', email: person.email ?? '' };
}

/** Checks the form; returns i18n keys per field and the chosen property (null: all). */
export async function validateContactPerson(em: Em, form: ContactPersonForm): Promise<{ errors: FieldErrors; property: Property | null }> {
  const errors: FieldErrors = {};
  const property = await resolvePropertyChoice(em, form.property, true);
  if (property === undefined) errors.property = 'contact-persons:errors.propertyInvalid';
  if (!form.name) errors.name = 'contact-persons:errors.nameRequired';
  else if (form.name.length > 200) errors.name = 'contact-persons:errors.nameTooLong';
  if (form.role.length > 200) errors.role = 'contact-persons:errors.roleTooLong';
  if (form.phone && !PHONE.test(form.phone)) errors.phone = 'contact-persons:errors.phoneInvalid';
  if (form.email && !isEmail(form.email)) errors.email = 'contact-persons:errors.emailInvalid';
  return { errors, property: property ?? null };
}

/** All Ansprechpartner of the Verwaltung for the console: "Alle Liegenschaften" first, then per property by name. One query. */
export async function contactPersonGroups(em: Em) {
  const people = await em.find(ContactPerson, {}, { populate: ['property'], orderBy: { position: 'asc', createdAt: 'asc' } });
  const groups = new Map<string, { property: Property | null; people: ContactPerson[] }>();
  groups.set('', { property: null, people: [] });
  for (const person of people) {
    const key = person.property?.id ?? '';
    const group = groups.get(key) ?? { property: person.property ?? null, people: [] };
    group.people.push(person);
    groups.set(key, group);
  }
  const collator = new Intl.Collator('de');
  return [...groups.values()].sort((a, b) => (a.property ? (b.property ? collator.compare(a.property.name, b.property.name) : 1) : -1));
}

/** The Ansprechpartner a resident of a property sees: those of the property first, then those for all. One query. */
export async function portalContactPersons(em: Em, propertyId: string) {
  const people = await em.find(ContactPerson, { $or: [{ property: propertyId }, { property: null }] }, { orderBy: { position: 'asc', createdAt: 'asc' } });
  return [...people.filter((p) => p.property), ...people.filter((p) => !p.property)];
}

function apply(person: ContactPerson, form: ContactPersonForm) {
  person.name = form.name;
  person.role = form.role;
  person.phone = form.phone || null;
  person.email = form.email ? form.email.toLowerCase() : null;
}

/** Creates an Ansprechpartner at the end of its group. */
export async function createContactPerson(em: Em, organizationId: string, form: ContactPersonForm, property: Property | null) {
  const person = em.create(ContactPerson, {
    organization: organizationId,
    property,
    name: form.name,
    position: await nextPosition(em, ContactPerson, property?.id ?? null),
  });
  apply(person, form);
  await em.flush();
  return person;
}

/** Saves an edited Ansprechpartner; moved to another group it goes to that group's end. */
export async function updateContactPerson(em: Em, person: ContactPerson, form: ContactPersonForm, property: Property | null) {
  if ((person.property?.id ?? null) !== (property?.id ?? null)) {
    person.position = await nextPosition(em, ContactPerson, property?.id ?? null);
    person.property = property;
  }
  apply(person, form);
  await em.flush();
}

export async function deleteContactPerson(em: Em, person: ContactPerson) {
  await em.remove(person).flush();
}

/** "nach oben" / "nach unten" within its group. */
export function moveContactPerson(em: Em, person: ContactPerson, direction: Direction) {
  return moveWithinGroup(em, ContactPerson, person, direction);
}

/** The number for a tel: link: digits and a leading +. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, '')}`;
}
