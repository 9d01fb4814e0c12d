import type { Em } from '../../db/orm.ts';
import { AuditLog, type ApiKey, type PortalUser, type StaffUser } from '../../entities/index.ts';

/**
 * Writes what a member of staff did to the audit log (persisted with the caller's flush):
 * one shape for every console action — who, what, on which record, with which details.
 */
export function auditStaffAction(
  em: Em,
  staff: StaffUser,
  action: string,
  subject: { type: string; id: string },
  data: Record<string, unknown> | null,
  at: Date,
) {
  em.create(AuditLog, {
    organization: staff.organization,
    actorType: 'staff',
    actorId: staff.id,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    data,
    createdAt: at,
  });
}

/** Writes what a machine client (the ERP) did with an API key to the audit log: actor 'api', the key's id. */
export function auditApiAction(em: Em, apiKey: ApiKey, action: string, subject: { type: string; id: string }, data: Record<string, unknown> | null, at: Date) {
  em.create(AuditLog, {
    organization: apiKey.organization,
    actorType: 'api',
    actorId: apiKey.id,
    action,
    subjectType: subject.type,
    subjectId: subject.id,
    data,
    createdAt: at,
  });
}

/** Writes what a resident did to their own account (profile, e-mail, Meine Daten, Konto löschen) to the audit log. */
export function auditPortalAction(em: Em, user: PortalUser, action: string, data: Record<string, unknown> | null, at: Date) {
  em.create(AuditLog, {
    organization: user.organization,
    actorType: 'portal',
    actorId: user.id,
    action,
    subjectType: 'PortalUser',
    subjectId: user.id,
    data,
    createdAt: at,
  });
}
