import type { Em } from '../../db/orm.ts';
import {
  BoardComment,
  BoardPost,
  Conversation,
  ConversationParticipant,
  DirectMessage,
  NeighbourProfile,
  type Organization,
  type PortalUser,
  type Property,
} from '../../entities/index.ts';

/**
 * The community of Max-Planck-Straße 12, where the demo turns every community switch on
 * (issue 21): Kristina (tenant) and Dr. Heinrich Eigner (owner) show a display name, both
 * appear in "Eigentümer / Nachbarn" with a Nachbarschaftsprofil, his post on the Schwarzes
 * Brett has her comment, and they have written each other a few Direktnachrichten, all read.
 * No notifications: the demo starts with an empty outbox.
 */
export function seedDemoCommunity(
  tx: Em,
  world: { organization: Organization; property: Property; kristina: PortalUser; neighbour: PortalUser },
  now = new Date(),
) {
  const { organization, property, kristina, neighbour } = world;
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60 * 1000);
  const days = 24 * 60;

  const post = tx.create(BoardPost, {
    organization,
    property,
    author: neighbour,
    title: 'Gemeinsames Grillen im Hof?',
    body: 'Liebe Nachbarn, hätten Sie Lust auf ein gemeinsames Grillen im Innenhof, sobald es wärmer wird? Ich bringe gern den Grill mit.',
    createdAt: ago(2 * days),
    updatedAt: ago(2 * days),
  });
  tx.create(BoardComment, { organization, post, author: kristina, body: 'Sehr gern! Ich mache einen Kartoffelsalat.', createdAt: ago(days) });

  kristina.displayName = 'Kristina M.';
  neighbour.displayName = 'Heinrich E.';
  const profile = (user: PortalUser, about: string, location: string) =>
    tx.create(NeighbourProfile, {
      portalUser: user,
      property,
      organization,
      listed: true,
      showName: true,
      showPhoto: false,
      about,
      location,
      updatedAt: ago(3 * days),
    });
  profile(kristina, 'Ich wohne seit einem Jahr hier und gieße gern Blumen, wenn Sie verreist sind.', '1. OG links');
  profile(neighbour, 'Eigentümer im Haus. Sprechen Sie mich gern an, wenn etwas ist.', 'Erdgeschoss');

  const [low, high] = kristina.id < neighbour.id ? [kristina, neighbour] : [neighbour, kristina];
  const lines: [PortalUser, string, number][] = [
    [neighbour, 'Hallo Frau M., danke für die Zusage zum Grillen! Passt Ihnen der Samstag in zwei Wochen?', 26 * 60],
    [kristina, 'Hallo Herr E., Samstag passt gut. Ab wann soll es losgehen?', 25 * 60],
    [neighbour, 'Ab 16 Uhr im Innenhof. Ich kümmere mich um den Grill.', 24 * 60],
    [kristina, 'Prima, dann bringe ich den Kartoffelsalat mit. Bis dann!', 23 * 60],
  ];
  const conversation = tx.create(Conversation, { organization, property, userLow: low, userHigh: high, createdAt: ago(26 * 60), lastMessageAt: ago(23 * 60) });
  for (const [sender, body, minutes] of lines) tx.create(DirectMessage, { organization, conversation, sender, body, withheld: false, createdAt: ago(minutes) });
  for (const user of [kristina, neighbour]) tx.create(ConversationParticipant, { conversation, portalUser: user, organization, lastReadAt: ago(23 * 60) });
}
