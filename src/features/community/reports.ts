import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import type { MessageReport, StaffUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

// Reported Direktnachrichten in the console. Messages are private between the two residents:
// staff see a reported message and the five before and after it in its conversation, never
// more, and each look is written to the audit log (./routes.ts).

export const REPORTS_PAGE = 50;
/** Messages shown on each side of a reported one. */
export const NEIGHBOURHOOD = 5;

export type ReportRow = { id: string; createdAt: Date; handledAt: Date | null; reason: string; propertyName: string; reporterName: string };

/** Open reports first, then handled ones, newest first: one statement. */
export async function reportsPage(em: Em, page: number): Promise<{ reports: ReportRow[]; hasNext: boolean }> {
  const { rows } = await sql<{ id: string; created_at: string; handled_at: string | null; reason: string; property_name: string; reporter_name: string }>`
    select r.id, r.created_at, r.handled_at, r.reason, p.name as property_name, pu.name as reporter_name
    from message_report r
    join direct_message m on m.id = r.message_id
    join conversation c on c.id = m.conversation_id
    join property p on p.id = c.property_id
    join portal_user pu on pu.id = r.reporter_id
    where r.organization_id = ${scopedOrganization(em)}
    order by r.handled_at is not null, r.created_at desc, r.id
    limit ${sql.lit(REPORTS_PAGE + 1)} ${offsetSql((page - 1) * REPORTS_PAGE)}`.execute(em.getKysely());
  return {
    reports: rows.slice(0, REPORTS_PAGE).map((row) => ({
      id: row.id,
      createdAt: new Date(row.created_at),
      handledAt: row.handled_at ? new Date(row.handled_at) : null,
      reason: row.reason,
      propertyName: row.property_name,
      reporterName: row.reporter_name,
    })),
    hasNext: rows.length > REPORTS_PAGE,
  };
}

export type NeighbourhoodMessage = { id: string; body: string; createdAt: Date; senderName: string; reported: boolean };

/**
 * The reported message with the NEIGHBOURHOOD messages before and after it in its
 * conversation (as the recipient saw it: withheld messages are not part of it), oldest first.
 */
export async function reportNeighbourhood(em: Em, report: MessageReport): Promise<{ messages: NeighbourhoodMessage[]; propertyName: string }> {
  const organizationId = scopedOrganization(em);
  const { rows } = await sql<{ id: string; body: string; created_at: string; sender_name: string; property_name: string }>`
    with reported as (
      select m.id, m.conversation_id, m.created_at from direct_message m where m.id = ${report.message.id} and m.organization_id = ${organizationId}
    ),
    shown as (
      (select m.* from direct_message m, reported r
        where m.conversation_id = r.conversation_id and not m.withheld and (m.created_at, m.id) < (r.created_at, r.id)
        order by m.created_at desc, m.id desc limit ${sql.lit(NEIGHBOURHOOD)})
      union all
      (select m.* from direct_message m, reported r where m.id = r.id)
      union all
      (select m.* from direct_message m, reported r
        where m.conversation_id = r.conversation_id and not m.withheld and (m.created_at, m.id) > (r.created_at, r.id)
        order by m.created_at, m.id limit ${sql.lit(NEIGHBOURHOOD)})
    )
    select s.id, s.body, s.created_at, pu.name as sender_name, p.name as property_name
    from shown s
    join portal_user pu on pu.id = s.sender_id
    join conversation c on c.id = s.conversation_id
    join property p on p.id = c.property_id
    where s.organization_id = ${organizationId}
    order by s.created_at, s.id`.execute(em.getKysely());
  return {
    messages: rows.map((row) => ({
      id: row.id,
      body: row.body,
      createdAt: new Date(row.created_at),
      senderName: row.sender_name,
      reported: row.id === report.message.id,
    })),
    propertyName: rows[0]?.property_name ?? '',
  };
}

/** Marks a report handled ("Erledigt"), audited. */
export async function markHandled(em: Em, staff: StaffUser, report: MessageReport, now: Date) {
  if (!report.handledAt) {
    report.handledAt = now;
    report.handledBy = staff;
    auditStaffAction(em, staff, 'direct-message.report.handled', { type: 'message_report', id: report.id }, null, now);
  }
  await em.flush();
}
