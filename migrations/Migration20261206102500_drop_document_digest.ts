import { Migration } from '@mikro-orm/migrations';

/** The notification digest (src/features/notifications/digest.ts) keeps its own markers; the document digest's are unused. */
export class Migration20261206102500_drop_document_digest extends Migration {
  override name = 'Migration20261206102500_drop_document_digest';

  override up(): void | Promise<void> {
    this.addSql(`drop table if exists "document_digest" cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(
      `create table "document_digest" ("portal_user_id" uuid not null, "day" date not null, "organization_id" uuid not null, "document_count" int not null, "created_at" timestamptz not null, primary key ("portal_user_id", "day"));`,
    );
    this.addSql(
      `alter table "document_digest" add constraint "document_digest_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_digest" add constraint "document_digest_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
  }
}
