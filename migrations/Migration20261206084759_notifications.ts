import { Migration } from '@mikro-orm/migrations';

export class Migration20261206084759_notifications extends Migration {
  override name = 'Migration20261206084759_notifications';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "notification_default" ("organization_id" uuid not null, "kind" varchar(40) not null, "frequency" text not null, primary key ("organization_id", "kind"));`,
    );

    this.addSql(
      `create table "notification_setting" ("portal_user_id" uuid not null, "kind" varchar(40) not null, "organization_id" uuid not null, "frequency" text not null, "updated_at" timestamptz not null, primary key ("portal_user_id", "kind"));`,
    );

    this.addSql(
      `create table "notification_digest" ("portal_user_id" uuid not null, "period" varchar(20) not null, "organization_id" uuid not null, "item_count" int not null, "created_at" timestamptz not null, primary key ("portal_user_id", "period"));`,
    );

    this.addSql(
      `create table "announcement_opening" ("announcement_id" uuid not null, "portal_user_id" uuid not null, "organization_id" uuid not null, "opened_at" timestamptz not null, primary key ("announcement_id", "portal_user_id"));`,
    );

    this.addSql(
      `create table "notification_item" ("id" uuid not null, "organization_id" uuid not null, "portal_user_id" uuid not null, "kind" varchar(40) not null, "property_id" uuid null, "title" varchar(300) not null, "link" varchar(1000) not null, "created_at" timestamptz not null, "digested_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "notification_item_organization_id_digested_at_created_at_index" on "notification_item" ("organization_id", "digested_at", "created_at");`,
    );
    this.addSql(`create index "notification_item_portal_user_id_digested_at_index" on "notification_item" ("portal_user_id", "digested_at");`);

    this.addSql(
      `create table "postal_delivery" ("id" uuid not null, "organization_id" uuid not null, "subject_type" text not null, "subject_id" uuid not null, "contact_id" uuid not null, "staff_user_id" uuid null, "sent_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "postal_delivery_organization_id_subject_type_subject_id_index" on "postal_delivery" ("organization_id", "subject_type", "subject_id");`,
    );

    this.addSql(`alter table "outbox_mail" add "headers" jsonb null;`);

    this.addSql(
      `alter table "notification_default" add constraint "notification_default_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_default" add constraint "notification_default_frequency_check" check ("frequency" in ('immediate', 'daily', 'weekly', 'off'));`,
    );

    this.addSql(
      `alter table "notification_setting" add constraint "notification_setting_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_setting" add constraint "notification_setting_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "notification_setting" add constraint "notification_setting_frequency_check" check ("frequency" in ('immediate', 'daily', 'weekly', 'off'));`,
    );

    this.addSql(
      `alter table "notification_digest" add constraint "notification_digest_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_digest" add constraint "notification_digest_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "announcement_opening" add constraint "announcement_opening_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "announcement_opening" add constraint "announcement_opening_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "notification_item" add constraint "notification_item_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "notification_item" add constraint "notification_item_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notification_item" add constraint "notification_item_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "postal_delivery" add constraint "postal_delivery_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "postal_delivery" add constraint "postal_delivery_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "postal_delivery" add constraint "postal_delivery_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "postal_delivery" add constraint "postal_delivery_subject_type_check" check ("subject_type" in ('announcement', 'document'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "notification_default" cascade;`);
    this.addSql(`drop table if exists "notification_setting" cascade;`);
    this.addSql(`drop table if exists "notification_digest" cascade;`);
    this.addSql(`drop table if exists "announcement_opening" cascade;`);
    this.addSql(`drop table if exists "notification_item" cascade;`);
    this.addSql(`drop table if exists "postal_delivery" cascade;`);

    this.addSql(`alter table "outbox_mail" drop column "headers";`);
  }
}
