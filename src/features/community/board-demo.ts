import type { Em } from '../../db/orm.ts';
import { BoardComment, BoardPost, type Organization, type PortalUser, type Property } from '../../entities/index.ts';

/**
 * A resident's post with a neighbour's comment on the Schwarzes Brett of Max-Planck-Straße 12,
 * where the demo opens the Community-Bereich (no notifications: the demo starts with an empty outbox).
 */
export function seedDemoBoard(tx: Em, world: { organization: Organization; property: Property; author: PortalUser; commenter: PortalUser }, now = new Date()) {
  const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  const post = tx.create(BoardPost, {
    organization: world.organization,
    property: world.property,
    author: world.author,
    title: 'Gemeinsames Grillen im Hof?',
    body: 'Liebe Nachbarn, hätten Sie Lust auf ein gemeinsames Grillen im Innenhof, sobald es wärmer wird? Ich bringe gern den Grill mit.',
    createdAt: daysAgo(2),
    updatedAt: daysAgo(2),
  });
  tx.create(BoardComment, {
    organization: world.organization,
    post,
    author: world.commenter,
    body: 'Sehr gern! Ich mache einen Kartoffelsalat.',
    createdAt: daysAgo(1),
  });
}
