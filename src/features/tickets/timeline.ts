import type { TFunction } from 'i18next';
import type { TicketEntry } from '../../entities/index.ts';
import type { TicketViewer, TimelineItem } from './access.ts';

/**
 * Who reads a timeline: staff call a concern "Vorgang", residents "Anliegen" (one name per
 * audience, everywhere: pages, PDF, mails). The resident's wording is the i18next context
 * `resident` of a key (tickets:entry.reopened_resident), where it differs.
 */
export type TimelineAudience = 'staff' | 'resident';
export const audienceOf = (viewer: TicketViewer): TimelineAudience => (viewer.relation === 'staff' ? 'staff' : 'resident');

/**
 * How a timeline entry reads after its author's name ("hat den Status von „Neu“ auf „In
 * Bearbeitung“ geändert"): one wording for the pages (views/tickets/_timeline.eta, given it
 * as `it.entryAction`) and the PDF (pdf.ts). A note says nothing after the name: its label does.
 */
export function entryAction(entry: TicketEntry, t: TFunction, audience: TimelineAudience = 'staff'): string {
  const data = (entry.data ?? {}) as Record<string, string | null | undefined>;
  const context = audience === 'resident' ? 'resident' : undefined;
  switch (entry.kind) {
    case 'note':
      return '';
    case 'status':
      return t('tickets:entry.status', { from: t(`tickets:status.${data.from}`), to: t(`tickets:status.${data.to}`) });
    case 'assignment':
      return data.assigneeName ? t('tickets:entry.assignment', { name: data.assigneeName }) : t('tickets:entry.unassigned');
    case 'document':
      return t('tickets:entry.document', { title: data.title });
    case 'forwarded':
      return t('tickets:entry.forwarded', { provider: data.provider });
    case 'merged':
      return t(data.direction === 'into' ? 'tickets:entry.mergedInto' : 'tickets:entry.merged', { other: data.other, context });
    default:
      return t(`tickets:entry.${entry.kind}`, { context });
  }
}

/** The mark of an internal entry, for staff only: "Interne Notiz" for a note, "Intern" for an event. */
export function internalLabel(entry: TicketEntry, t: TFunction): string {
  return t(entry.kind === 'note' ? 'tickets:entry.note' : 'tickets:entry.internal');
}

/**
 * The line of an entry shown without its author's name (access.ts decides when: a joiner
 * sees "Anliegen gemeldet", not who reported it). Only residents see it.
 */
export function unnamedAction(entry: TicketEntry, t: TFunction): string {
  return t(`tickets:entryUnnamed.${entry.kind}`, { defaultValue: t('tickets:entryUnnamed.other') });
}

/** An item's head as one line of text: "Max Verwalter hat kommentiert", or the unnamed wording (the PDF). */
export function entryLine(item: TimelineItem, t: TFunction, audience: TimelineAudience): string {
  if (item.author === null) return unnamedAction(item.entry, t);
  const action = entryAction(item.entry, t, audience);
  return action ? `${item.author} ${action}` : item.author;
}

/** The wording for views/tickets/_timeline.eta in the request's language and for its audience: spread into the render data. */
export function timelineWording(t: TFunction, audience: TimelineAudience) {
  return {
    entryAction: (entry: TicketEntry) => entryAction(entry, t, audience),
    unnamedAction: (entry: TicketEntry) => unnamedAction(entry, t),
    internalLabel: (entry: TicketEntry) => internalLabel(entry, t),
  };
}
