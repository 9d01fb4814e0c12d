import type { Em } from '../../db/orm.ts';
import { FaqEntry, type Property } from '../../entities/index.ts';
import { ALL_PROPERTIES, moveWithinGroup, nextPosition, resolvePropertyChoice, type Direction } from './shared.ts';
import type { FieldErrors } from '../../http/forms.ts';

export type FaqForm = { property: string; question: string; answer: string };
export type { FieldErrors };

export const QUESTION_MAX = 300;
export const ANSWER_MAX = 20000;

/** The form as submitted, trimmed; missing fields are empty. */
export function faqForm(body: Record<string, unknown> | undefined): FaqForm {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { property: text(body?.property) || ALL_PROPERTIES, question: text(body?.question).trim(), answer: text(body?.answer).replace(/\r\n/g, '\n').trim() };
}

/** The form of an existing entry. */
export function formOf(entry: FaqEntry): FaqForm {
  return { property: entry.property?.id ?? ALL_PROPERTIES, question: entry.question, answer: entry.answer };
}

/** Checks the form; returns i18n keys per field and the chosen property (null: all). */
export async function validateFaq(em: Em, form: FaqForm): Promise<{ errors: FieldErrors; property: Property | null }> {
  const errors: FieldErrors = {};
  const property = await resolvePropertyChoice(em, form.property, true);
  if (property === undefined) errors.property = 'faq:errors.propertyInvalid';
  if (!form.question) errors.question = 'faq:errors.questionRequired';
  else if (form.question.length > QUESTION_MAX) errors.question = 'faq:errors.questionTooLong';
  if (!form.answer) errors.answer = 'faq:errors.answerRequired';
  else if (form.answer.length > ANSWER_MAX) errors.answer = 'faq:errors.answerTooLong';
  return { errors, property: property ?? null };
}

/** All entries of the Verwaltung for the console: "Alle Liegenschaften" first, then per property by name. One query. */
export async function faqGroups(em: Em) {
  const entries = await em.find(FaqEntry, {}, { populate: ['property'], orderBy: { position: 'asc', createdAt: 'asc' } });
  const groups = new Map<string, { property: Property | null; entries: FaqEntry[] }>();
  groups.set('', { property: null, entries: [] });
  for (const entry of entries) {
    const key = entry.property?.id ?? '';
    const group = groups.get(key) ?? { property: entry.property ?? null, entries: [] };
    group.entries.push(entry);
    groups.set(key, group);
  }
  const collator = new Intl.Collator('de');
  return [...groups.values()].sort((a, b) => (a.property ? (b.property ? collator.compare(a.property.name, b.property.name) : 1) : -1));
}

/** The questions a resident of a property sees: those of the property first, then those for the whole portfolio. One query. */
export async function portalFaq(em: Em, propertyId: string) {
  const entries = await em.find(FaqEntry, { $or: [{ property: propertyId }, { property: null }] }, { orderBy: { position: 'asc', createdAt: 'asc' } });
  return [...entries.filter((e) => e.property), ...entries.filter((e) => !e.property)];
}

/** Creates an entry at the end of its group. */
export async function createFaq(em: Em, organizationId: string, form: FaqForm, property: Property | null) {
  const entry = em.create(FaqEntry, {
    organization: organizationId,
    property,
    question: form.question,
    answer: form.answer,
    position: await nextPosition(em, FaqEntry, property?.id ?? null),
  });
  await em.flush();
  return entry;
}

/** Saves an edited entry; moved to another group it goes to that group's end. */
export async function updateFaq(em: Em, entry: FaqEntry, form: FaqForm, property: Property | null) {
  if ((entry.property?.id ?? null) !== (property?.id ?? null)) {
    entry.position = await nextPosition(em, FaqEntry, property?.id ?? null);
    entry.property = property;
  }
  entry.question = form.question;
  entry.answer = form.answer;
  await em.flush();
}

export async function deleteFaq(em: Em, entry: FaqEntry) {
  await em.remove(entry).flush();
}

/** "nach oben" / "nach unten" within its group. */
export function moveFaq(em: Em, entry: FaqEntry, direction: Direction) {
  return moveWithinGroup(em, FaqEntry, entry, direction);
}
