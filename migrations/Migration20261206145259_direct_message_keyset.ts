import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 21 at scale: a conversation page pages to older messages by (created_at, id)
 * (src/features/community/service.ts messagesOf); with the id in the index the row
 * comparison is an index condition, so page 200 of a long conversation reads one page.
 */
export class Migration20261206145259_direct_message_keyset extends Migration {
  override name = 'Migration20261206145259_direct_message_keyset';

  override up(): void | Promise<void> {
    this.addSql(`create index "direct_message_conversation_id_created_at_id_index" on "direct_message" ("conversation_id", "created_at", "id");`);
    this.addSql(`drop index "direct_message_conversation_id_created_at_index";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create index "direct_message_conversation_id_created_at_index" on "direct_message" ("conversation_id", "created_at");`);
    this.addSql(`drop index "direct_message_conversation_id_created_at_id_index";`);
  }
}
