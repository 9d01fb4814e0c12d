import { StaffAbsence } from '../entities/index.ts';
import { within } from './scope.ts';
import { findInScope, staffMemberScope, staffScope } from './staff.ts';

// Abwesenheit (src/features/absence): a staff member's own absences, and an admin's view of a
// colleague's (Administration › Mitarbeiter). An absence is found only among the person's own.

/** The logged-in staff member as the one whose absences are shown. */
export const ownAbsencesScope = within(staffScope, 'own absences', ({ staff }) => ({ member: staff }));
/** One of the logged-in staff member's absences (…/abwesenheit/:absenceId). */
export const ownAbsenceScope = within(ownAbsencesScope, 'absence', async ({ member }, req) => ({
  absence: await findInScope(req, StaffAbsence, 'absenceId', { staffUser: member.id }),
}));
/** One of a colleague's absences, for an admin (…/mitarbeiter/:staffId/abwesenheit/:absenceId). */
export const memberAbsenceScope = within(staffMemberScope, 'absence', async ({ member }, req) => ({
  absence: await findInScope(req, StaffAbsence, 'absenceId', { staffUser: member.id }),
}));
