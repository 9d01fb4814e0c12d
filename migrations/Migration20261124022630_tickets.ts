import { Migration } from '@mikro-orm/migrations';

export class Migration20261124022630_tickets extends Migration {
  override name = 'Migration20261124022630_tickets';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "property_staff" ("property_id" uuid not null, "staff_user_id" uuid not null, "organization_id" uuid not null, primary key ("property_id", "staff_user_id"));`,
    );
    this.addSql(`create index "property_staff_staff_user_id_index" on "property_staff" ("staff_user_id");`);

    this.addSql(
      `create table "ticket_category" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(100) not null, "position" int not null default 0, "archived_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ticket_category_organization_id_position_index" on "ticket_category" ("organization_id", "position");`);

    this.addSql(
      `create table "ticket_counter" ("organization_id" uuid not null, "year" int not null, "last_number" int not null, primary key ("organization_id", "year"));`,
    );

    this.addSql(
      `create table "ticket" ("id" uuid not null, "organization_id" uuid not null, "year" int not null, "number" int not null, "property_id" uuid not null, "unit_id" uuid null, "common_area" text null, "category_id" uuid not null, "title" varchar(200) not null, "description" text not null, "status" text not null default 'new', "reporter_id" uuid not null, "reporter_contact_id" uuid null, "reporter_name" varchar(200) not null, "assignee_id" uuid null, "merged_into_id" uuid null, "version" int not null default 1, "last_activity_at" timestamptz not null, "closed_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ticket_category_id_index" on "ticket" ("category_id");`);
    this.addSql(`create index "ticket_organization_id_status_last_activity_at_index" on "ticket" ("organization_id", "status", "last_activity_at");`);
    this.addSql(`create index "ticket_organization_id_last_activity_at_index" on "ticket" ("organization_id", "last_activity_at");`);
    this.addSql(`create index "ticket_organization_id_status_created_at_index" on "ticket" ("organization_id", "status", "created_at");`);
    this.addSql(`create index "ticket_organization_id_property_id_status_index" on "ticket" ("organization_id", "property_id", "status");`);
    this.addSql(`create index "ticket_organization_id_assignee_id_status_index" on "ticket" ("organization_id", "assignee_id", "status");`);
    this.addSql(`create index "ticket_reporter_id_index" on "ticket" ("reporter_id");`);
    this.addSql(`create index "ticket_title_trgm_index" on "ticket" using gin ("title" gin_trgm_ops);`);
    this.addSql(`create index "ticket_reporter_name_trgm_index" on "ticket" using gin ("reporter_name" gin_trgm_ops);`);
    this.addSql(`alter table "ticket" add constraint "ticket_organization_id_year_number_unique" unique ("organization_id", "year", "number");`);

    this.addSql(
      `create table "ticket_follower" ("ticket_id" uuid not null, "portal_user_id" uuid not null, "organization_id" uuid not null, "created_at" timestamptz not null, primary key ("ticket_id", "portal_user_id"));`,
    );
    this.addSql(`create index "ticket_follower_portal_user_id_index" on "ticket_follower" ("portal_user_id");`);

    this.addSql(
      `create table "ticket_entry" ("id" uuid not null, "organization_id" uuid not null, "ticket_id" uuid not null, "kind" text not null, "internal" boolean not null default false, "author_staff_id" uuid null, "author_portal_user_id" uuid null, "author_name" varchar(200) not null, "body" text not null default '', "data" jsonb null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ticket_entry_ticket_id_created_at_index" on "ticket_entry" ("ticket_id", "created_at");`);

    this.addSql(
      `create table "ticket_attachment" ("id" uuid not null, "organization_id" uuid not null, "ticket_id" uuid not null, "entry_id" uuid not null, "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "storage_key" varchar(64) not null, "thumb_key" varchar(64) null, "width" int null, "height" int null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ticket_attachment_ticket_id_index" on "ticket_attachment" ("ticket_id");`);
    this.addSql(`create index "ticket_attachment_entry_id_index" on "ticket_attachment" ("entry_id");`);

    this.addSql(
      `create table "ticket_document" ("ticket_id" uuid not null, "document_id" uuid not null, "organization_id" uuid not null, "created_at" timestamptz not null, primary key ("ticket_id", "document_id"));`,
    );
    this.addSql(`create index "ticket_document_document_id_index" on "ticket_document" ("document_id");`);

    this.addSql(`alter table "outbox_mail" add "attachments" jsonb null;`);

    this.addSql(
      `alter table "property_staff" add constraint "property_staff_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "property_staff" add constraint "property_staff_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "property_staff" add constraint "property_staff_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "ticket_category" add constraint "ticket_category_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "ticket_counter" add constraint "ticket_counter_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(`alter table "ticket" add constraint "ticket_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "ticket" add constraint "ticket_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(`alter table "ticket" add constraint "ticket_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on delete set null;`);
    this.addSql(`alter table "ticket" add constraint "ticket_category_id_foreign" foreign key ("category_id") references "ticket_category" ("id");`);
    this.addSql(`alter table "ticket" add constraint "ticket_reporter_id_foreign" foreign key ("reporter_id") references "portal_user" ("id");`);
    this.addSql(
      `alter table "ticket" add constraint "ticket_reporter_contact_id_foreign" foreign key ("reporter_contact_id") references "contact" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ticket" add constraint "ticket_assignee_id_foreign" foreign key ("assignee_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ticket" add constraint "ticket_merged_into_id_foreign" foreign key ("merged_into_id") references "ticket" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ticket" add constraint "ticket_common_area_check" check ("common_area" in ('staircase', 'basement', 'outdoor', 'parking', 'roof_facade', 'elevator', 'heating', 'other'));`,
    );
    this.addSql(`alter table "ticket" add constraint "ticket_status_check" check ("status" in ('new', 'in_progress', 'waiting', 'reopened', 'done'));`);

    this.addSql(
      `alter table "ticket_follower" add constraint "ticket_follower_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_follower" add constraint "ticket_follower_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_follower" add constraint "ticket_follower_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "ticket_entry" add constraint "ticket_entry_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "ticket_entry" add constraint "ticket_entry_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_entry" add constraint "ticket_entry_author_staff_id_foreign" foreign key ("author_staff_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ticket_entry" add constraint "ticket_entry_author_portal_user_id_foreign" foreign key ("author_portal_user_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ticket_entry" add constraint "ticket_entry_kind_check" check ("kind" in ('created', 'comment', 'note', 'status', 'assignment', 'reopened', 'document', 'forwarded', 'merged', 'follower'));`,
    );

    this.addSql(
      `alter table "ticket_attachment" add constraint "ticket_attachment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "ticket_attachment" add constraint "ticket_attachment_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_attachment" add constraint "ticket_attachment_entry_id_foreign" foreign key ("entry_id") references "ticket_entry" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "ticket_document" add constraint "ticket_document_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_document" add constraint "ticket_document_document_id_foreign" foreign key ("document_id") references "document" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "ticket_document" add constraint "ticket_document_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket" drop constraint "ticket_category_id_foreign";`);
    this.addSql(`alter table "ticket" drop constraint "ticket_merged_into_id_foreign";`);
    this.addSql(`alter table "ticket_follower" drop constraint "ticket_follower_ticket_id_foreign";`);
    this.addSql(`alter table "ticket_entry" drop constraint "ticket_entry_ticket_id_foreign";`);
    this.addSql(`alter table "ticket_attachment" drop constraint "ticket_attachment_ticket_id_foreign";`);
    this.addSql(`alter table "ticket_document" drop constraint "ticket_document_ticket_id_foreign";`);
    this.addSql(`alter table "ticket_attachment" drop constraint "ticket_attachment_entry_id_foreign";`);

    this.addSql(`drop table if exists "property_staff" cascade;`);
    this.addSql(`drop table if exists "ticket_category" cascade;`);
    this.addSql(`drop table if exists "ticket_counter" cascade;`);
    this.addSql(`drop table if exists "ticket" cascade;`);
    this.addSql(`drop table if exists "ticket_follower" cascade;`);
    this.addSql(`drop table if exists "ticket_entry" cascade;`);
    this.addSql(`drop table if exists "ticket_attachment" cascade;`);
    this.addSql(`drop table if exists "ticket_document" cascade;`);

    this.addSql(`alter table "outbox_mail" drop column "attachments";`);
  }
}
