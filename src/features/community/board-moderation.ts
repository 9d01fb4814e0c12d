import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { BoardBar, BoardReport, type StaffUser } from '../../entities/index.ts';
import { PAGE_SIZE } from '../../http/paging.ts';
import { auditStaffAction } from '../audit/service.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

// Moderation of the residents' Schwarzes Brett (issue 21): the console's "Meldungen" list,
// hiding and restoring a reported post or comment, bars. Every action is in the audit log.

/** Longest bar staff can set, in days. */
export const BAR_DAYS_MAX = 365;
export const BAR_REASON_MAX = 500;

export type ReportRow = {
  id: string;
  reason: string;
  createdAt: Date;
  handledAt: Date | null;
  propertyId: string;
  propertyName: string;
  postId: string;
  postTitle: string;
  commentId: string | null;
  /** The reported text: the comment's, or the post's. */
  text: string;
  hidden: boolean;
  reporterName: string;
  authorId: string | null;
  authorName: string | null;
  authorEmail: string | null;
};

/** One page of reports, newest first: the open ones, or (`handled`) those dealt with. One statement of plain rows. */
export async function boardReports(em: Em, organizationId: string, options: { handled: boolean; page: number }) {
  const { rows } = await sql<Omit<ReportRow, 'createdAt' | 'handledAt'> & { createdAt: string; handledAt: string | null }>`
    select r.id, r.reason, r.created_at as "createdAt", r.handled_at as "handledAt",
      pr.id as "propertyId", pr.name as "propertyName", p.id as "postId", p.title as "postTitle", c.id as "commentId",
      coalesce(c.body, p.body) as text,
      (case when c.id is null then p.hidden_at else c.hidden_at end) is not null as hidden,
      ru.name as "reporterName", au.id as "authorId", au.name as "authorName", au.email as "authorEmail"
    from board_report r
    join board_post p on p.id = r.post_id
    join property pr on pr.id = r.property_id
    join portal_user ru on ru.id = r.reporter_id
    left join board_comment c on c.id = r.comment_id
    left join portal_user au on au.id = coalesce(c.author_id, case when r.comment_id is null then p.author_id end)
    where r.organization_id = ${organizationId} and r.handled_at is ${options.handled ? sql`not null` : sql`null`}
    order by r.created_at desc, r.id
    limit ${sql.lit(PAGE_SIZE + 1)} ${offsetSql((options.page - 1) * PAGE_SIZE)}`.execute(em.getKysely());
  return {
    reports: rows.slice(0, PAGE_SIZE).map((row) => ({ ...row, createdAt: new Date(row.createdAt), handledAt: row.handledAt ? new Date(row.handledAt) : null })),
    hasNext: rows.length > PAGE_SIZE,
  };
}

/** The bars in force at `now`, ending soonest first. */
export async function activeBars(em: Em, organizationId: string, now: Date) {
  const { rows } = await sql<{ id: string; until: string; reason: string; userName: string; userEmail: string }>`
    select b.id, b.until, b.reason, u.name as "userName", u.email as "userEmail"
    from board_bar b join portal_user u on u.id = b.portal_user_id
    where b.organization_id = ${organizationId} and b.lifted_at is null and b.until > ${now}
    order by b.until, b.id`.execute(em.getKysely());
  return rows.map((row) => ({ ...row, until: new Date(row.until) }));
}

/** The reported thing: the comment when one was reported, else the post. */
function reported(report: BoardReport) {
  return report.comment ?? report.post;
}

/** Marks every open report of the same post or comment handled. */
async function handleAll(em: Em, report: BoardReport, staff: StaffUser, now: Date) {
  const open = await em.find(BoardReport, { post: report.post.id, comment: report.comment ? report.comment.id : null, handledAt: null });
  for (const other of new Set([...open, report])) {
    other.handledAt ??= now;
    other.handledBy ??= staff;
  }
}

const subject = (report: BoardReport) => (report.comment ? { type: 'BoardComment', id: report.comment.id } : { type: 'BoardPost', id: report.post.id });

/** "Ausblenden": residents no longer see the reported post or comment; its reports are handled. */
export async function hideReported(em: Em, report: BoardReport, staff: StaffUser, now: Date) {
  const item = reported(report);
  item.hiddenAt ??= now;
  item.hiddenBy = staff;
  await handleAll(em, report, staff, now);
  auditStaffAction(em, staff, 'board.hidden', subject(report), { report: report.id }, now);
  await em.flush();
}

/** "Wiederherstellen": the hidden post or comment shows again. */
export async function restoreReported(em: Em, report: BoardReport, staff: StaffUser, now: Date) {
  const item = reported(report);
  item.hiddenAt = null;
  item.hiddenBy = null;
  await handleAll(em, report, staff, now);
  auditStaffAction(em, staff, 'board.restored', subject(report), { report: report.id }, now);
  await em.flush();
}

/** "Erledigt": nothing to do about it. */
export async function dismissReport(em: Em, report: BoardReport, staff: StaffUser, now: Date) {
  await handleAll(em, report, staff, now);
  auditStaffAction(em, staff, 'board.report_dismissed', subject(report), { report: report.id }, now);
  await em.flush();
}

export type BarForm = { days: string; reason: string };

/** The bar form's problems (i18n keys per field), or the number of days. */
export function validateBar(form: BarForm): { errors: Record<string, string>; days: number } {
  const errors: Record<string, string> = {};
  const days = /^\d{1,3}$/.test(form.days) ? Number(form.days) : Number.NaN;
  if (!(days >= 1 && days <= BAR_DAYS_MAX)) errors.days = 'board:errors.barDays';
  if (!form.reason) errors.reason = 'board:errors.barReasonRequired';
  else if (form.reason.length > BAR_REASON_MAX) errors.reason = 'board:errors.barReasonTooLong';
  return { errors, days };
}

/** "Sperren": the author of the reported item may not post or comment for `days` days; the report is handled. False when the author's account is gone. */
export async function barAuthor(em: Em, report: BoardReport, staff: StaffUser, days: number, reason: string, now: Date): Promise<boolean> {
  const author = reported(report).author;
  if (!author) return false;
  const bar = em.create(BoardBar, {
    organization: report.organization,
    portalUser: author,
    until: new Date(now.getTime() + days * 86_400_000),
    reason,
    createdBy: staff,
    createdAt: now,
  });
  await handleAll(em, report, staff, now);
  auditStaffAction(em, staff, 'board.barred', { type: 'PortalUser', id: author.id }, { report: report.id, bar: bar.id, days }, now);
  await em.flush();
  return true;
}

/** "Sperre aufheben". */
export async function liftBar(em: Em, bar: BoardBar, staff: StaffUser, now: Date) {
  bar.liftedAt ??= now;
  auditStaffAction(em, staff, 'board.bar_lifted', { type: 'PortalUser', id: bar.portalUser.id }, { bar: bar.id }, now);
  await em.flush();
}
