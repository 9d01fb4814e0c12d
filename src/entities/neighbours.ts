import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { Organization } from './organization.ts';
import { PortalUser } from './portal-user.ts';
import { Property } from './property.ts';
import { StaffUser } from './staff-user.ts';

// The community's neighbours (issue 21): who appears in "Eigentümer / Nachbarn" and with
// what, and the Direktnachrichten between them. Who may see and do what is one module,
// src/features/community/neighbour-access.ts.

/**
 * What a resident chose to show their neighbours in one property. Everything is off until
 * they switch it on; "Über mich" and the floor are typed in by themselves, never copied
 * from the Verwaltung's contact data.
 */
export const NeighbourProfile = defineEntity({
  name: 'NeighbourProfile',
  tableName: 'neighbour_profile',
  indexes: [{ properties: ['property', 'listed'] }],
  properties: {
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    property: () => p.manyToOne(Property).primary().deleteRule('cascade'),
    organization: () => p.manyToOne(Organization),
    /** Appears in the property's neighbour list at all. */
    listed: p.boolean().default(false),
    /** The profile's display name is shown (else "Nachbar/in"). */
    showName: p.boolean().default(false),
    /** The profile's photo or avatar is shown (Nachbarschaftsprofil). */
    showPhoto: p.boolean().default(false),
    /** "Über mich" (Nachbarschaftsprofil); shown when not empty. */
    about: p.string().length(500).nullable(),
    /** Floor or unit as the resident writes it ("2. OG links"); shown when not empty. */
    location: p.string().length(100).nullable(),
    updatedAt: p.datetime(),
  },
});
export type NeighbourProfile = InferEntity<typeof NeighbourProfile>;

/** A one-to-one conversation of two residents in one property; `userLow` < `userHigh` by id, so a pair has one. */
export const Conversation = defineEntity({
  name: 'Conversation',
  tableName: 'conversation',
  uniques: [{ properties: ['property', 'userLow', 'userHigh'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    property: () => p.manyToOne(Property).deleteRule('cascade'),
    userLow: () => p.manyToOne(PortalUser).deleteRule('cascade'),
    userHigh: () => p.manyToOne(PortalUser).deleteRule('cascade'),
    createdAt: createdAt(),
    lastMessageAt: p.datetime().nullable(),
  },
});
export type Conversation = InferEntity<typeof Conversation>;

/** One side of a conversation: what that resident read last and when they were last notified. */
export const ConversationParticipant = defineEntity({
  name: 'ConversationParticipant',
  tableName: 'conversation_participant',
  indexes: [{ properties: ['portalUser'] }],
  properties: {
    conversation: () => p.manyToOne(Conversation).primary().deleteRule('cascade'),
    portalUser: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    organization: () => p.manyToOne(Organization),
    lastReadAt: p.datetime().nullable(),
    notifiedAt: p.datetime().nullable(),
  },
});
export type ConversationParticipant = InferEntity<typeof ConversationParticipant>;

export const DIRECT_MESSAGE_MAX = 2000;

/**
 * A message. `withheld`: the recipient had blocked the sender when it was sent, so only the
 * sender sees it (blocking is silent).
 */
export const DirectMessage = defineEntity({
  name: 'DirectMessage',
  tableName: 'direct_message',
  indexes: [{ properties: ['conversation', 'createdAt', 'id'] }, { properties: ['sender', 'createdAt'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    conversation: () => p.manyToOne(Conversation).deleteRule('cascade'),
    sender: () => p.manyToOne(PortalUser).deleteRule('cascade'),
    body: p.string().length(DIRECT_MESSAGE_MAX),
    withheld: p.boolean().default(false),
    createdAt: createdAt(),
  },
});
export type DirectMessage = InferEntity<typeof DirectMessage>;

/** A resident blocked another: the other's messages no longer reach them. */
export const UserBlock = defineEntity({
  name: 'UserBlock',
  tableName: 'user_block',
  properties: {
    blocker: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    blocked: () => p.manyToOne(PortalUser).primary().deleteRule('cascade'),
    organization: () => p.manyToOne(Organization),
    createdAt: createdAt(),
  },
});
export type UserBlock = InferEntity<typeof UserBlock>;

/** A message reported to the Verwaltung by its recipient; staff see it and its neighbourhood only. */
export const MessageReport = defineEntity({
  name: 'MessageReport',
  tableName: 'message_report',
  indexes: [{ properties: ['organization', 'handledAt', 'createdAt'] }],
  uniques: [{ properties: ['message', 'reporter'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization),
    message: () => p.manyToOne(DirectMessage).deleteRule('cascade'),
    reporter: () => p.manyToOne(PortalUser).deleteRule('cascade'),
    reason: p.string().length(1000),
    createdAt: createdAt(),
    handledAt: p.datetime().nullable(),
    handledBy: () => p.manyToOne(StaffUser).nullable(),
  },
});
export type MessageReport = InferEntity<typeof MessageReport>;
