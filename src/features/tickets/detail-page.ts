import type { Request, Response } from 'express';
import type { TFunction } from 'i18next';
import { canLogIn } from '../../entities/common.ts';
import { AuditLog, StaffUser, type Ticket, TICKET_STATUSES, ticketReference } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { fieldMessages, type FieldErrors } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { ordersOfTicket } from '../orders/service.ts';
import { mayReopen, reportFiles, STAFF_VIEWER, visibleTimeline, type TimelineItem } from './access.ts';
import { handoverPanel } from './handover.ts';
import { timelineWording } from './timeline.ts';

// The console's page of one Vorgang, rendered by its own routes (./detail-routes.ts), by the
// handover routes (./handover-routes.ts) and by the Aufträge's (src/features/orders), each
// with the state of a failed form: a module of its own, so no feature imports another's routes.

const BASE = '/verwaltung/vorgaenge';

export const ticketPath = (ticket: { id: string }) => `${BASE}/${ticket.id}`;

/**
 * What the detail page's forms show after a failed submit: what was typed and the messages
 * per field. `panel` is merged over handoverPanel()'s answer (the handover routes re-render
 * the page with their own form state this way).
 */
export type DetailState = {
  comment?: { body: string; internal: boolean };
  commentErrors?: FieldErrors;
  status?: string;
  statusErrors?: FieldErrors;
  assignee?: string;
  assignErrors?: FieldErrors;
  panel?: Record<string, unknown>;
  /** A failed staff comment on an Auftrag (src/features/orders/console-routes.ts). */
  orderForm?: { orderId: string; body: string; errors: Record<string, string> };
};

/** The members of staff a Vorgang can be assigned to: those who can log in (plus the current assignee). */
async function assignableStaff(req: Request, ticket: Ticket): Promise<StaffUser[]> {
  const staff = await req.em.find(StaffUser, canLogIn, { orderBy: { name: 'asc' } });
  if (ticket.assignee && !staff.some((s) => s.id === ticket.assignee!.id)) staff.push(ticket.assignee);
  return staff;
}

/** The audit trail of a Vorgang, newest first, with the names of the staff (one query for them). */
async function auditTrail(req: Request, ticket: Ticket) {
  const rows = await req.em.find(AuditLog, { subjectType: 'ticket', subjectId: ticket.id }, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: 200 });
  const ids = [...new Set(rows.map((row) => row.actorId).filter((id): id is string => isUuid(id)))];
  const staff = ids.length > 0 ? await req.em.find(StaffUser, { id: { $in: ids } }, { fields: ['name'] }) : [];
  const names = new Map(staff.map((s) => [s.id, s.name]));
  return rows.map((row) => ({ row, name: (row.actorId && names.get(row.actorId)) || null, text: auditText(req.t, row) }));
}

/** An audit row's action in words ("Status geändert: Neu → In Bearbeitung"); an action without words names its key. */
function auditText(t: TFunction, row: AuditLog): string {
  const data = (row.data ?? {}) as Record<string, unknown>;
  const action = row.action === 'ticket.assign' && !data.assigneeName ? 'ticket.unassign' : row.action;
  const status = (value: unknown) => (typeof value === 'string' ? t(`tickets:status.${value}`) : '');
  const values = {
    from: status(data.from),
    to: status(data.to),
    name: data.assigneeName ?? '',
    title: data.title ?? '',
    email: data.email ?? '',
    reference: data.reference ?? '',
  };
  const text = t(`tickets-detail:audit.actions.${action}`, { ...values, defaultValue: '' });
  return typeof text === 'string' && text && !text.includes('returned an object') ? text : t('tickets-detail:audit.actions.other', { action: row.action });
}

/** What the detail page and the print view both show of a ticket (views/tickets/_console-facts.eta, the timeline). */
export function ticketView(req: Request, ticket: Ticket, items: TimelineItem[]) {
  const reference = ticketReference(ticket);
  return {
    title: `${req.t('tickets:reference', { reference })} · ${ticket.title}`,
    ticket,
    reference,
    mergedReference: ticket.mergedInto ? ticketReference(ticket.mergedInto) : null,
    base: ticketPath(ticket),
    items,
    reportFiles: reportFiles(items),
    fileBase: `${ticketPath(ticket)}/anhaenge`,
    // Both pages show the report's photos with the description, not again in the timeline.
    reportFilesShown: true,
    ...timelineWording(req.t, 'staff'),
  };
}

/** Renders the detail page, with the state of a failed form when there is one. */
export async function renderTicketPage(req: Request, res: Response, ticket: Ticket, state: DetailState = {}, status = 200) {
  const [items, staff, audit, panel, orders] = await Promise.all([
    visibleTimeline(req.em, ticket, STAFF_VIEWER),
    assignableStaff(req, ticket),
    auditTrail(req, ticket),
    handoverPanel(req.em, ticket),
    ordersOfTicket(req.em, ticket),
  ]);
  render(
    req,
    res,
    'tickets/console-detail',
    {
      ...ticketView(req, ticket, items),
      staffList: staff,
      statuses: TICKET_STATUSES,
      mayReopen: mayReopen(ticket, STAFF_VIEWER),
      audit,
      panel: { ...panel, ...state.panel },
      comment: state.comment ?? { body: '', internal: false },
      commentErrors: fieldMessages(req.t, state.commentErrors ?? {}),
      statusValue: state.status ?? ticket.status,
      statusErrors: fieldMessages(req.t, state.statusErrors ?? {}),
      assigneeValue: state.assignee ?? ticket.assignee?.id ?? '',
      assignErrors: fieldMessages(req.t, state.assignErrors ?? {}),
      // Aufträge (views/orders/_ticket-orders.eta).
      orders,
      orderForm: state.orderForm ?? null,
    },
    status,
  );
}
