import { MessageReport } from '../entities/index.ts';
import { NotFoundError } from '../http/errors.ts';
import { isUuid } from '../http/find.ts';
import { messagesOpen, takesPart, visibleConversation, communitySwitches } from '../features/community/neighbour-access.ts';
import { portalPropertyScope, residentScope } from './portal.ts';
import { within } from './scope.ts';
import { findInScope, staffScope } from './staff.ts';

// The community's neighbours and Direktnachrichten (src/features/community): every scope asks
// the one rule, src/features/community/neighbour-access.ts; what it refuses is a 404.

/**
 * "Eigentümer / Nachbarn" of the URL's property: a resident who takes part there, or the
 * preview where the Community-Bereich is on (it sees the list, never a conversation).
 */
export const neighboursScope = within(portalPropertyScope, 'neighbours', ({ user, property, access }) => {
  const organization = property.organization;
  const open = user ? takesPart(organization, property, access) : communitySwitches(organization, property).community;
  if (!open) throw new NotFoundError('community not open here');
  return { organization };
});

/** The resident's own entry in the neighbour list (never the preview). */
export const ownNeighbourEntryScope = within(neighboursScope, 'own entry', async (_scope, req, res) => residentScope.load(req, res));

/** Direktnachrichten of the URL's property: switch on and the resident takes part (never the preview). */
export const directMessagesScope = within(ownNeighbourEntryScope, 'direct messages', ({ organization, property, access, user }) => {
  if (!messagesOpen(organization, property, access, user)) throw new NotFoundError('direct messages not open here');
  return {};
});

/** A conversation of the URL's property that the resident takes part in. */
export const conversationScope = within(directMessagesScope, 'conversation', async ({ organization, property, access, user }, req) => {
  const id = req.params.conversationId;
  const conversation = isUuid(id) ? await visibleConversation(req.em, organization, property, access, user, id) : null;
  if (!conversation) throw new NotFoundError(`conversation ${id} not visible to ${user.id}`);
  return { conversation };
});

/** A reported message in the console (staff of its Verwaltung). */
export const messageReportScope = within(staffScope, 'message report', async ({ organizationId }, req) => ({
  report: await findInScope(req, MessageReport, 'reportId', { organization: organizationId }, { populate: ['message', 'reporter'] }),
}));
