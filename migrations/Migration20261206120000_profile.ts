import { Migration } from '@mikro-orm/migrations';

/** Profile fields every login has (issue 20): display name, built-in avatar and photo. */
export class Migration20261206120000_profile extends Migration {
  override name = 'Migration20261206120000_profile';

  override up(): void | Promise<void> {
    for (const table of ['portal_user', 'staff_user']) {
      this.addSql(
        `alter table "${table}" add column "display_name" varchar(80) null, add column "avatar" varchar(32) null, add column "photo_key" varchar(300) null;`,
      );
    }
  }

  override down(): void | Promise<void> {
    for (const table of ['portal_user', 'staff_user']) {
      this.addSql(`alter table "${table}" drop column "display_name", drop column "avatar", drop column "photo_key";`);
    }
  }
}
