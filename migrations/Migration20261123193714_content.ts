import { Migration } from '@mikro-orm/migrations';

export class Migration20261123193714_content extends Migration {
  override name = 'Migration20261123193714_content';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "faq_entry" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid null, "question" varchar(300) not null, "answer" text not null, "position" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "contact_person" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid null, "name" varchar(200) not null, "role" varchar(200) not null default '', "phone" varchar(50) null, "email" varchar(254) null, "position" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "bulletin_post" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "title" varchar(200) not null, "body" text not null, "status" text not null default 'published', "published_at" timestamptz null, "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "bulletin_post_property_id_published_at_index" on "bulletin_post" ("property_id", "published_at");`);

    this.addSql(
      `create table "appointment" ("id" uuid not null, "organization_id" uuid not null, "title" varchar(200) not null, "description" text not null default '', "location" varchar(200) not null default '', "all_day" boolean not null default false, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "status" text not null default 'published', "all_properties" boolean not null default false, "notify_recipients" boolean not null default false, "published_at" timestamptz null, "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "appointment_organization_id_status_starts_at_index" on "appointment" ("organization_id", "status", "starts_at");`);

    this.addSql(
      `create table "appointment_property" ("appointment_id" uuid not null, "property_id" uuid not null, primary key ("appointment_id", "property_id"));`,
    );

    this.addSql(
      `create table "announcement" ("id" uuid not null, "organization_id" uuid not null, "title" varchar(200) not null, "body" text not null, "status" text not null default 'draft', "all_properties" boolean not null default false, "published_at" timestamptz null, "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "announcement_organization_id_status_published_at_index" on "announcement" ("organization_id", "status", "published_at");`);

    this.addSql(
      `create table "attachment" ("id" uuid not null, "organization_id" uuid not null, "announcement_id" uuid null, "bulletin_post_id" uuid null, "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "storage_key" varchar(64) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "attachment_announcement_id_index" on "attachment" ("announcement_id");`);
    this.addSql(`create index "attachment_bulletin_post_id_index" on "attachment" ("bulletin_post_id");`);

    this.addSql(
      `create table "announcement_property" ("announcement_id" uuid not null, "property_id" uuid not null, primary key ("announcement_id", "property_id"));`,
    );

    this.addSql(`alter table "organization" add "faq_enabled" boolean not null default true;`);

    this.addSql(`alter table "portal_user" add "calendar_token_hash" varchar(64) null;`);
    this.addSql(`alter table "portal_user" add constraint "portal_user_calendar_token_hash_unique" unique ("calendar_token_hash");`);

    this.addSql(`alter table "session" drop constraint "session_area_check";`);
    this.addSql(`alter table "session" add "preview_property_id" uuid null, add "parent_session_id" varchar(32) null;`);
    this.addSql(
      `alter table "session" add constraint "session_preview_property_id_foreign" foreign key ("preview_property_id") references "property" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "session" add constraint "session_parent_session_id_foreign" foreign key ("parent_session_id") references "session" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "session" add constraint "session_area_check" check ("area" in ('staff', 'portal', 'preview'));`);

    this.addSql(`alter table "faq_entry" add constraint "faq_entry_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(
      `alter table "faq_entry" add constraint "faq_entry_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "contact_person" add constraint "contact_person_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "contact_person" add constraint "contact_person_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "bulletin_post" add constraint "bulletin_post_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "bulletin_post" add constraint "bulletin_post_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "bulletin_post" add constraint "bulletin_post_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`,
    );
    this.addSql(`alter table "bulletin_post" add constraint "bulletin_post_status_check" check ("status" in ('draft', 'published', 'withdrawn'));`);

    this.addSql(
      `alter table "appointment" add constraint "appointment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "appointment" add constraint "appointment_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`);
    this.addSql(`alter table "appointment" add constraint "appointment_status_check" check ("status" in ('draft', 'published', 'withdrawn'));`);

    this.addSql(
      `alter table "appointment_property" add constraint "appointment_property_appointment_id_foreign" foreign key ("appointment_id") references "appointment" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "appointment_property" add constraint "appointment_property_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "announcement" add constraint "announcement_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "announcement" add constraint "announcement_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`);
    this.addSql(`alter table "announcement" add constraint "announcement_status_check" check ("status" in ('draft', 'published', 'withdrawn'));`);

    this.addSql(
      `alter table "attachment" add constraint "attachment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "attachment" add constraint "attachment_announcement_id_foreign" foreign key ("announcement_id") references "announcement" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "attachment" add constraint "attachment_bulletin_post_id_foreign" foreign key ("bulletin_post_id") references "bulletin_post" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "announcement_property" add constraint "announcement_property_announcement_id_foreign" foreign key ("announcement_id") references "announcement" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "announcement_property" add constraint "announcement_property_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "attachment" drop constraint "attachment_bulletin_post_id_foreign";`);
    this.addSql(`alter table "appointment_property" drop constraint "appointment_property_appointment_id_foreign";`);
    this.addSql(`alter table "attachment" drop constraint "attachment_announcement_id_foreign";`);
    this.addSql(`alter table "announcement_property" drop constraint "announcement_property_announcement_id_foreign";`);

    this.addSql(`drop table if exists "faq_entry" cascade;`);
    this.addSql(`drop table if exists "contact_person" cascade;`);
    this.addSql(`drop table if exists "bulletin_post" cascade;`);
    this.addSql(`drop table if exists "appointment" cascade;`);
    this.addSql(`drop table if exists "appointment_property" cascade;`);
    this.addSql(`drop table if exists "announcement" cascade;`);
    this.addSql(`drop table if exists "attachment" cascade;`);
    this.addSql(`drop table if exists "announcement_property" cascade;`);

    this.addSql(`alter table "session" drop constraint "session_preview_property_id_foreign";`);
    this.addSql(`alter table "session" drop constraint "session_parent_session_id_foreign";`);

    this.addSql(`alter table "organization" drop column "faq_enabled";`);

    this.addSql(`alter table "portal_user" drop constraint "portal_user_calendar_token_hash_unique";`);
    this.addSql(`alter table "portal_user" drop column "calendar_token_hash";`);

    this.addSql(`alter table "session" drop constraint "session_area_check";`);
    this.addSql(`alter table "session" drop column "preview_property_id", drop column "parent_session_id";`);
    this.addSql(`alter table "session" add constraint "session_area_check" check ("area" in ('staff', 'portal'));`);
  }
}
