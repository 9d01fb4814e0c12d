import type { Em } from '../../db/orm.ts';
import { TicketFollower, type PortalUser, type Ticket } from '../../entities/index.ts';
import { newEntry } from './service.ts';

/**
 * "Ich bin auch betroffen": a resident joins an open concern about a common area instead of
 * reporting it again. From then on they see it as a joiner (./access.ts: no personal data of
 * the reporter, their own comments for staff only) and get staff's updates (./notify.ts).
 * Staff see who joined in the timeline (an internal 'follower' entry); residents only see how many.
 * Whether the ticket may be joined at all is the caller's question (joinableTicket).
 */

/** Makes the resident a follower; joining twice (or twice at once) changes nothing. True when they joined now. */
export async function followTicket(em: Em, ticket: Ticket, user: PortalUser, now: Date): Promise<boolean> {
  return em.transactional(async (tx) => {
    const inserted = await tx.execute<Array<{ ticket_id: string }>>(
      `insert into ticket_follower (ticket_id, portal_user_id, organization_id, created_at) values (?, ?, ?, ?)
       on conflict do nothing returning ticket_id`,
      [ticket.id, user.id, ticket.organization.id, now],
      'all',
    );
    if (inserted.length === 0) return false;
    newEntry(tx, ticket, { portalUser: user }, 'follower', now, { internal: true });
    await tx.flush();
    return true;
  });
}

/** How many residents follow the ticket (residents see the number, never the names). */
export function followerCount(em: Em, ticket: Ticket): Promise<number> {
  return em.count(TicketFollower, { ticket: ticket.id });
}
