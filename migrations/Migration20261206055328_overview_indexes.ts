import { Migration } from '@mikro-orm/migrations';

export class Migration20261206055328_overview_indexes extends Migration {
  override name = 'Migration20261206055328_overview_indexes';

  override up(): void | Promise<void> {
    this.addSql(`create index "portal_user_organization_id_created_at_index" on "portal_user" ("organization_id", "created_at");`);

    this.addSql(`create index "invitation_organization_id_created_at_index" on "invitation" ("organization_id", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "invitation_organization_id_created_at_index";`);

    this.addSql(`drop index "portal_user_organization_id_created_at_index";`);
  }
}
