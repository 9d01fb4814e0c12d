import { sql } from 'kysely';
import type { Em } from '../../db/orm.ts';
import { publishLive } from '../../db/process-cache.ts';
import { scopedOrganization } from '../../db/tenant.ts';
import {
  Conversation,
  ConversationParticipant,
  DIRECT_MESSAGE_MAX,
  DirectMessage,
  MessageReport,
  NeighbourProfile,
  PortalUser,
  UserBlock,
  type Organization,
  type Property,
} from '../../entities/index.ts';
import { field, textareaField, type FieldErrors } from '../../http/forms.ts';
import { notify } from '../notifications/notify.ts';
import { markedRead, unreadChangedHere } from './unread.ts';
import { blockedBy, messageVisibleTo, type ConversationSight, type NeighbourRow } from './neighbour-access.ts';
import { offsetSql } from '../../db/prepared-statements.ts';

export const ABOUT_MAX = 500;
export const LOCATION_MAX = 100;
export const REASON_MAX = 1000;
/** Messages one resident may send in a minute; the next is refused (and nothing written). */
export const MESSAGES_PER_MINUTE = 30;
/** A recipient is notified of a conversation at most once in this time. */
export const NOTIFY_INTERVAL_MS = 60 * 60 * 1000;
export const NEIGHBOURS_PAGE = 50;
export const CONVERSATIONS_PAGE = 30;
export const MESSAGES_PAGE = 50;

// --- The resident's own entry in the neighbour list -------------------------------------------

export type ProfileForm = { listed: boolean; showName: boolean; showPhoto: boolean; about: string; location: string };

export async function ownProfile(em: Em, user: PortalUser, property: Property): Promise<ProfileForm> {
  const row = await em.findOne(NeighbourProfile, { portalUser: user.id, property: property.id });
  return {
    listed: row?.listed ?? false,
    showName: row?.showName ?? false,
    showPhoto: row?.showPhoto ?? false,
    about: row?.about ?? '',
    location: row?.location ?? '',
  };
}

export function profileForm(body: Record<string, unknown> | undefined): ProfileForm {
  const on = (name: string) => field(body?.[name]) === 'on';
  return {
    listed: on('listed'),
    showName: on('showName'),
    showPhoto: on('showPhoto'),
    about: textareaField(body?.about),
    location: field(body?.location).trim(),
  };
}

export function validateProfile(form: ProfileForm): FieldErrors {
  const errors: FieldErrors = {};
  if (form.about.length > ABOUT_MAX) errors.about = 'community:errors.aboutTooLong';
  if (form.location.length > LOCATION_MAX) errors.location = 'community:errors.locationTooLong';
  return errors;
}

/** Saves what the resident chose to show; the profile's fields only when the Nachbarschaftsprofil is on (else they stay as they were). */
export async function saveProfile(em: Em, user: PortalUser, property: Property, form: ProfileForm, withProfile: boolean, now: Date) {
  const row =
    (await em.findOne(NeighbourProfile, { portalUser: user.id, property: property.id })) ??
    em.create(NeighbourProfile, { portalUser: user, property, organization: user.organization, updatedAt: now, about: null, location: null });
  row.listed = form.listed;
  row.showName = form.showName;
  if (withProfile) {
    row.showPhoto = form.showPhoto;
    row.about = form.about || null;
    row.location = form.location || null;
  }
  row.updatedAt = now;
  await em.flush();
}

// --- Conversations --------------------------------------------------------------------------

export type ConversationRow = { id: string; otherId: string; lastMessageAt: Date | null; unread: number };

/**
 * The resident's conversations in a property, newest first, with their unread counts: one
 * statement. The page is chosen first and only its rows are counted (each through the
 * index of its conversation's messages from the last read on).
 */
export async function conversationsOf(em: Em, user: PortalUser, property: Property, page: { limit: number; offset: number }): Promise<ConversationRow[]> {
  const { rows } = await sql<{ id: string; other_id: string; last_message_at: string | null; unread: string }>`
    select pg.id, pg.other_id, pg.last_message_at,
      (select count(*) from direct_message m
        where m.conversation_id = pg.id and m.created_at > coalesce(pg.last_read_at, '-infinity'::timestamptz)
          and m.sender_id <> ${user.id} and not m.withheld) as unread
    from (
      select c.id, case when c.user_low_id = ${user.id} then c.user_high_id else c.user_low_id end as other_id, c.last_message_at, p.last_read_at
      from conversation_participant p
      join conversation c on c.id = p.conversation_id and c.property_id = ${property.id}
      where p.portal_user_id = ${user.id} and p.organization_id = ${scopedOrganization(em)} and c.last_message_at is not null
      order by c.last_message_at desc, c.id
      limit ${sql.lit(page.limit)} ${offsetSql(page.offset)}) pg
    order by pg.last_message_at desc, pg.id`.execute(em.getKysely());
  return rows.map((row) => ({
    id: row.id,
    otherId: row.other_id,
    lastMessageAt: row.last_message_at ? new Date(row.last_message_at) : null,
    unread: Number(row.unread),
  }));
}

/**
 * Unread messages of the resident in a property (the portal navigation's count): one
 * statement, at most 100 counted; per conversation only the messages after its last read,
 * through the index (a lateral join, so the time is an index condition, not a filter).
 */
export async function unreadCount(em: Em, user: PortalUser, propertyId: string): Promise<number> {
  const { rows } = await sql<{ unread: string }>`
    select count(*) as unread from (
      select 1 from conversation_participant p
      join conversation c on c.id = p.conversation_id and c.property_id = ${propertyId}
      cross join lateral (select 1 from direct_message m
        where m.conversation_id = p.conversation_id and m.created_at > coalesce(p.last_read_at, '-infinity'::timestamptz)
          and m.sender_id <> ${user.id} and not m.withheld
        limit 100) m
      where p.portal_user_id = ${user.id} and p.organization_id = ${scopedOrganization(em)}
      limit 100) u`.execute(em.getKysely());
  return Number(rows[0]?.unread ?? 0);
}

/** The conversation of two residents in a property, created with both participants when there is none yet. */
export async function conversationWith(em: Em, user: PortalUser, property: Property, otherId: string): Promise<string> {
  const [low, high] = user.id < otherId ? [user.id, otherId] : [otherId, user.id];
  const organizationId = scopedOrganization(em);
  const db = em.getKysely();
  // Two neighbours opening it at once: one insert wins, both read the same row.
  await sql`insert into conversation (id, organization_id, property_id, user_low_id, user_high_id, created_at)
    values (gen_random_uuid(), ${organizationId}, ${property.id}, ${low}, ${high}, now())
    on conflict (property_id, user_low_id, user_high_id) do nothing`.execute(db);
  const { rows } = await sql<{ id: string }>`select id from conversation
    where organization_id = ${organizationId} and property_id = ${property.id} and user_low_id = ${low} and user_high_id = ${high}`.execute(db);
  const id = rows[0]!.id;
  await sql`insert into conversation_participant (conversation_id, portal_user_id, organization_id)
    values (${id}, ${low}, ${organizationId}), (${id}, ${high}, ${organizationId})
    on conflict do nothing`.execute(db);
  return id;
}

export type MessageRow = { id: string; senderId: string; body: string; createdAt: Date; withheld: boolean };

type RawMessage = { id: string; sender_id: string; body: string; created_at: string; withheld: boolean };
const messageOf = (row: RawMessage): MessageRow => ({
  id: row.id,
  senderId: row.sender_id,
  body: row.body,
  createdAt: new Date(row.created_at),
  withheld: row.withheld,
});

/**
 * A page of a conversation as `viewer` sees it, oldest first: the newest MESSAGES_PAGE, or
 * those before `before` (keyset: time and id of the oldest shown). One statement.
 */
export async function messagesOf(
  em: Em,
  viewer: PortalUser,
  conversationId: string,
  before: { at: Date; id: string } | null,
): Promise<{ messages: MessageRow[]; older: boolean }> {
  const keyset = before ? sql`and (m.created_at, m.id) < (${before.at.toISOString()}::timestamptz, ${before.id}::uuid)` : sql``;
  const { rows } = await sql<RawMessage>`
    select m.id, m.sender_id, m.body, m.created_at, m.withheld from direct_message m
    where m.conversation_id = ${conversationId} and m.organization_id = ${scopedOrganization(em)} and ${messageVisibleTo(viewer.id)('m')} ${keyset}
    order by m.created_at desc, m.id desc
    limit ${sql.lit(MESSAGES_PAGE + 1)}`.execute(em.getKysely());
  const older = rows.length > MESSAGES_PAGE;
  return { messages: rows.slice(0, MESSAGES_PAGE).reverse().map(messageOf), older };
}

/** Messages of a conversation `viewer` sees after a point (the live stream catching up): oldest first, at most a page. */
export async function messagesAfter(em: Em, viewer: PortalUser | { id: string }, conversationId: string, after: Date): Promise<MessageRow[]> {
  const { rows } = await sql<RawMessage>`
    select m.id, m.sender_id, m.body, m.created_at, m.withheld from direct_message m
    where m.conversation_id = ${conversationId} and m.organization_id = ${scopedOrganization(em)} and ${messageVisibleTo(viewer.id)('m')}
      and m.created_at > ${after.toISOString()}::timestamptz
    order by m.created_at, m.id
    limit ${sql.lit(MESSAGES_PAGE)}`.execute(em.getKysely());
  return rows.map(messageOf);
}

/** One message of a conversation, if `viewerId` sees it (the live stream). */
export async function visibleMessage(em: Em, viewerId: string, conversationId: string, messageId: string): Promise<MessageRow | null> {
  const { rows } = await sql<RawMessage>`
    select m.id, m.sender_id, m.body, m.created_at, m.withheld from direct_message m
    where m.id = ${messageId} and m.conversation_id = ${conversationId} and m.organization_id = ${scopedOrganization(em)} and ${messageVisibleTo(viewerId)('m')}`.execute(
    em.getKysely(),
  );
  return rows[0] ? messageOf(rows[0]) : null;
}

/**
 * Marks the conversation read up to `at` for its viewer, when something was unread (then
 * true); the navigation's count drops in every process (./unread.ts).
 */
export async function markRead(em: Em, viewerId: string, conversationId: string, at: Date): Promise<boolean> {
  const result = await sql`update conversation_participant p set last_read_at = ${at.toISOString()}::timestamptz
    where p.conversation_id = ${conversationId} and p.portal_user_id = ${viewerId} and p.organization_id = ${scopedOrganization(em)}
      and exists (select 1 from direct_message m where m.conversation_id = p.conversation_id and m.sender_id <> ${viewerId} and not m.withheld
        and m.created_at > coalesce(p.last_read_at, '-infinity'::timestamptz))`.execute(em.getKysely());
  const changed = Number(result.numAffectedRows ?? 0) > 0;
  if (changed) await markedRead(em, viewerId);
  return changed;
}

export function messageForm(body: Record<string, unknown> | undefined) {
  return { body: textareaField(body?.body) };
}

export function validateMessage(form: { body: string }): FieldErrors {
  if (!form.body) return { body: 'community:errors.messageRequired' };
  if (form.body.length > DIRECT_MESSAGE_MAX) return { body: 'community:errors.messageTooLong' };
  return {};
}

/** The resident has sent MESSAGES_PER_MINUTE messages in the last minute (any conversation). */
export async function throttled(em: Em, sender: PortalUser, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - 60_000).toISOString();
  const { rows } = await sql<{ n: string }>`select count(*) as n from (
      select 1 from direct_message where sender_id = ${sender.id} and organization_id = ${scopedOrganization(em)} and created_at > ${since}::timestamptz
      limit ${sql.lit(MESSAGES_PER_MINUTE)}) r`.execute(em.getKysely());
  return Number(rows[0]?.n ?? 0) >= MESSAGES_PER_MINUTE;
}

/** What a live message says: which conversation, which message; the stream reads the rest (./live.ts). */
export type LivePayload = { kind: 'direct-message'; organizationId: string; conversationId: string; messageId: string; recipientId: string | null };

/**
 * Sends a message: written, the recipient notified (by their choice for "Direktnachrichten",
 * at most once per conversation per NOTIFY_INTERVAL_MS while it stays unread), and the open
 * pages of both told live. A message to someone who blocked the sender is kept for the
 * sender only: no notification, nothing live for the recipient.
 */
export async function sendMessage(
  em: Em,
  input: {
    organization: Organization;
    property: Property;
    sender: PortalUser;
    senderName: string;
    conversation: ConversationSight;
    body: string;
    baseUrl: string;
    now: Date;
  },
): Promise<MessageRow> {
  const { organization, sender, conversation, now } = input;
  const withheld = await blockedBy(em, conversation.otherId, sender.id);
  const message = await em.transactional(async (tx) => {
    const created = tx.create(DirectMessage, {
      organization: organization.id,
      conversation: conversation.id,
      sender: sender.id,
      body: input.body,
      withheld,
      createdAt: now,
    });
    await tx.nativeUpdate(Conversation, { id: conversation.id }, { lastMessageAt: now });
    // The sender has read what they answer.
    await tx.nativeUpdate(ConversationParticipant, { conversation: conversation.id, portalUser: sender.id }, { lastReadAt: now });
    if (!withheld) await notifyRecipient(tx, input, now);
    await tx.flush();
    return created;
  });
  // After the commit, so that every process's stream reads the message it is told about.
  // The recipient's unread count changes (./unread.ts), unless the message is withheld from them.
  const payload: LivePayload = {
    kind: 'direct-message',
    organizationId: organization.id,
    conversationId: conversation.id,
    messageId: message.id,
    recipientId: withheld ? null : conversation.otherId,
  };
  // Here at once (the recipient's next page in this process counts it, not a cached count
  // from before); the other processes when they hear the live message.
  if (payload.recipientId) unreadChangedHere(em, payload.recipientId);
  await publishLive(em, JSON.stringify(payload));
  return { id: message.id, senderId: sender.id, body: message.body, createdAt: message.createdAt, withheld };
}

/** The recipient's notice, unless they were told within the hour and have not read since. */
async function notifyRecipient(
  em: Em,
  input: { organization: Organization; property: Property; conversation: ConversationSight; senderName: string; baseUrl: string },
  now: Date,
) {
  const { conversation, property, organization } = input;
  const since = new Date(now.getTime() - NOTIFY_INTERVAL_MS).toISOString();
  // Claims the notice in one conditional update: of two messages at once only one notifies;
  // a lively chat (each message read as it arrives, ./live.ts) is not a mail per message.
  const { rows } = await sql<{ portal_user_id: string }>`
    update conversation_participant set notified_at = ${now.toISOString()}::timestamptz
    where conversation_id = ${conversation.id} and portal_user_id = ${conversation.otherId} and organization_id = ${organization.id}
      and (notified_at is null or notified_at <= ${since}::timestamptz)
    returning portal_user_id`.execute(em.getKysely());
  if (rows.length === 0) return;
  const recipient = await em.findOne(PortalUser, { id: conversation.otherId, disabledAt: null, passwordHash: { $ne: null } });
  if (!recipient) return;
  const link = `${input.baseUrl}/portal/liegenschaften/${property.id}/nachrichten/${conversation.id}`;
  await notify(em, {
    kind: 'direct_messages',
    organization,
    baseUrl: input.baseUrl,
    now,
    notices: [
      {
        user: recipient,
        propertyId: property.id,
        title: input.senderName,
        link,
        template: 'direct-message',
        data: { senderName: input.senderName, propertyName: property.name, link },
      },
    ],
  });
}

// --- Blocking and reporting ----------------------------------------------------------------

export async function isBlocked(em: Em, blocker: PortalUser, blockedId: string) {
  return blockedBy(em, blocker.id, blockedId);
}

export async function setBlocked(em: Em, blocker: PortalUser, blockedId: string, blocked: boolean) {
  if (blocked) {
    await sql`insert into user_block (blocker_id, blocked_id, organization_id, created_at)
      values (${blocker.id}, ${blockedId}, ${blocker.organization.id}, now()) on conflict do nothing`.execute(em.getKysely());
  } else {
    await em.nativeDelete(UserBlock, { blocker: blocker.id, blocked: blockedId });
  }
}

/** A message of this conversation that `reporter` received (one cannot report one's own). */
export async function receivedMessage(em: Em, reporter: PortalUser, conversationId: string, messageId: string) {
  return em.findOne(DirectMessage, { id: messageId, conversation: conversationId, sender: { $ne: reporter.id }, withheld: false });
}

export async function reportMessage(em: Em, reporter: PortalUser, messageId: string, reason: string, now: Date) {
  await sql`insert into message_report (id, organization_id, message_id, reporter_id, reason, created_at)
    values (gen_random_uuid(), ${reporter.organization.id}, ${messageId}, ${reporter.id}, ${reason}, ${now.toISOString()}::timestamptz)
    on conflict (message_id, reporter_id) do nothing`.execute(em.getKysely());
}

export function shownName(t: (key: string) => string, neighbour: Pick<NeighbourRow, 'name'> | null): string {
  return neighbour?.name ?? t('community:anonymous');
}

export { MessageReport };
