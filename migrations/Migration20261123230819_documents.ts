import { Migration } from '@mikro-orm/migrations';

export class Migration20261123230819_documents extends Migration {
  override name = 'Migration20261123230819_documents';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "document_type" ("id" uuid not null, "organization_id" uuid not null, "parent_id" uuid null, "name" varchar(100) not null, "position" int not null default 0, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "document_type_organization_id_parent_id_position_index" on "document_type" ("organization_id", "parent_id", "position");`);

    this.addSql(
      `create table "document_digest" ("portal_user_id" uuid not null, "day" date not null, "organization_id" uuid not null, "document_count" int not null, "created_at" timestamptz not null, primary key ("portal_user_id", "day"));`,
    );

    this.addSql(
      `create table "advisory_board_member" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "contact_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "advisory_board_member_contact_id_index" on "advisory_board_member" ("contact_id");`);
    this.addSql(
      `alter table "advisory_board_member" add constraint "advisory_board_member_property_id_contact_id_unique" unique ("property_id", "contact_id");`,
    );

    this.addSql(
      `create table "serial_letter" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid null, "title" varchar(200) not null, "type_id" uuid not null, "status" text not null default 'draft', "split" text not null, "pages_per_letter" int null, "dispatch" text not null default 'portal', "file_name" varchar(255) not null, "page_count" int not null, "storage_key" varchar(64) not null, "post_storage_key" varchar(64) null, "post_letter_count" int not null default 0, "published_at" timestamptz null, "created_by_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "serial_letter_organization_id_created_at_index" on "serial_letter" ("organization_id", "created_at");`);

    this.addSql(
      `create table "document" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid null, "unit_id" uuid null, "type_id" uuid not null, "title" varchar(200) not null, "status" text not null default 'published', "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" bigint not null, "storage_key" varchar(64) not null, "version" int not null default 1, "serial_letter_id" uuid null, "published_at" timestamptz not null, "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "document_unit_id_index" on "document" ("unit_id");`);
    this.addSql(`create index "document_type_id_index" on "document" ("type_id");`);
    this.addSql(`create index "document_serial_letter_id_index" on "document" ("serial_letter_id");`);
    this.addSql(`create index "document_organization_id_property_id_status_index" on "document" ("organization_id", "property_id", "status");`);
    this.addSql(`create index "document_organization_id_published_at_index" on "document" ("organization_id", "published_at");`);

    this.addSql(
      `create table "serial_letter_part" ("id" uuid not null, "organization_id" uuid not null, "serial_letter_id" uuid not null, "position" int not null, "first_page" int not null, "last_page" int not null, "excerpt" text not null default '', "contact_id" uuid null, "document_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "serial_letter_part_serial_letter_id_index" on "serial_letter_part" ("serial_letter_id");`);

    this.addSql(
      `create table "document_version" ("id" uuid not null, "organization_id" uuid not null, "document_id" uuid not null, "version" int not null, "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" bigint not null, "storage_key" varchar(64) not null, "created_by_id" uuid not null, "created_at" timestamptz not null, "replaced_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "document_version_document_id_index" on "document_version" ("document_id");`);

    this.addSql(
      `create table "document_share" ("id" uuid not null, "organization_id" uuid not null, "document_id" uuid not null, "kind" text not null, "property_id" uuid null, "address_id" uuid null, "unit_id" uuid null, "group" text null, "contact_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "document_share_document_id_index" on "document_share" ("document_id");`);
    this.addSql(`create index "document_share_property_id_kind_index" on "document_share" ("property_id", "kind");`);
    this.addSql(`create index "document_share_address_id_index" on "document_share" ("address_id");`);
    this.addSql(`create index "document_share_unit_id_index" on "document_share" ("unit_id");`);
    this.addSql(`create index "document_share_contact_id_index" on "document_share" ("contact_id");`);

    this.addSql(
      `create table "document_download" ("document_id" uuid not null, "portal_user_id" uuid not null, "day" date not null, "organization_id" uuid not null, "first_at" timestamptz not null, primary key ("document_id", "portal_user_id", "day"));`,
    );
    this.addSql(`create index "document_download_portal_user_id_index" on "document_download" ("portal_user_id");`);

    this.addSql(
      `alter table "document_type" add constraint "document_type_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "document_type" add constraint "document_type_parent_id_foreign" foreign key ("parent_id") references "document_type" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "document_digest" add constraint "document_digest_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_digest" add constraint "document_digest_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "advisory_board_member" add constraint "advisory_board_member_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "advisory_board_member" add constraint "advisory_board_member_property_id_foreign" foreign key ("property_id") references "property" ("id");`,
    );
    this.addSql(
      `alter table "advisory_board_member" add constraint "advisory_board_member_contact_id_foreign" foreign key ("contact_id") references "contact" ("id");`,
    );

    this.addSql(
      `alter table "serial_letter" add constraint "serial_letter_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "serial_letter" add constraint "serial_letter_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );
    this.addSql(`alter table "serial_letter" add constraint "serial_letter_type_id_foreign" foreign key ("type_id") references "document_type" ("id");`);
    this.addSql(
      `alter table "serial_letter" add constraint "serial_letter_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`,
    );
    this.addSql(`alter table "serial_letter" add constraint "serial_letter_status_check" check ("status" in ('draft', 'published'));`);
    this.addSql(`alter table "serial_letter" add constraint "serial_letter_split_check" check ("split" in ('pages', 'address'));`);
    this.addSql(`alter table "serial_letter" add constraint "serial_letter_dispatch_check" check ("dispatch" in ('portal', 'preference'));`);

    this.addSql(`alter table "document" add constraint "document_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(
      `alter table "document" add constraint "document_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );
    this.addSql(`alter table "document" add constraint "document_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on delete set null;`);
    this.addSql(`alter table "document" add constraint "document_type_id_foreign" foreign key ("type_id") references "document_type" ("id");`);
    this.addSql(
      `alter table "document" add constraint "document_serial_letter_id_foreign" foreign key ("serial_letter_id") references "serial_letter" ("id") on delete set null;`,
    );
    this.addSql(`alter table "document" add constraint "document_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`);
    this.addSql(`alter table "document" add constraint "document_status_check" check ("status" in ('published', 'withdrawn'));`);

    this.addSql(
      `alter table "serial_letter_part" add constraint "serial_letter_part_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "serial_letter_part" add constraint "serial_letter_part_serial_letter_id_foreign" foreign key ("serial_letter_id") references "serial_letter" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "serial_letter_part" add constraint "serial_letter_part_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "serial_letter_part" add constraint "serial_letter_part_document_id_foreign" foreign key ("document_id") references "document" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "document_version" add constraint "document_version_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "document_version" add constraint "document_version_document_id_foreign" foreign key ("document_id") references "document" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_version" add constraint "document_version_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`,
    );

    this.addSql(
      `alter table "document_share" add constraint "document_share_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_document_id_foreign" foreign key ("document_id") references "document" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_address_id_foreign" foreign key ("address_id") references "address" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_kind_check" check ("kind" in ('property', 'address', 'unit', 'group', 'contact'));`,
    );
    this.addSql(
      `alter table "document_share" add constraint "document_share_group_check" check ("group" in ('tenant', 'owner', 'resident', 'commercial_employee', 'service_provider', 'advisory_board'));`,
    );

    this.addSql(
      `alter table "document_download" add constraint "document_download_document_id_foreign" foreign key ("document_id") references "document" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_download" add constraint "document_download_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "document_download" add constraint "document_download_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "document_type" drop constraint "document_type_parent_id_foreign";`);
    this.addSql(`alter table "serial_letter" drop constraint "serial_letter_type_id_foreign";`);
    this.addSql(`alter table "document" drop constraint "document_type_id_foreign";`);
    this.addSql(`alter table "document" drop constraint "document_serial_letter_id_foreign";`);
    this.addSql(`alter table "serial_letter_part" drop constraint "serial_letter_part_serial_letter_id_foreign";`);
    this.addSql(`alter table "serial_letter_part" drop constraint "serial_letter_part_document_id_foreign";`);
    this.addSql(`alter table "document_version" drop constraint "document_version_document_id_foreign";`);
    this.addSql(`alter table "document_share" drop constraint "document_share_document_id_foreign";`);
    this.addSql(`alter table "document_download" drop constraint "document_download_document_id_foreign";`);

    this.addSql(`drop table if exists "document_type" cascade;`);
    this.addSql(`drop table if exists "document_digest" cascade;`);
    this.addSql(`drop table if exists "advisory_board_member" cascade;`);
    this.addSql(`drop table if exists "serial_letter" cascade;`);
    this.addSql(`drop table if exists "document" cascade;`);
    this.addSql(`drop table if exists "serial_letter_part" cascade;`);
    this.addSql(`drop table if exists "document_version" cascade;`);
    this.addSql(`drop table if exists "document_share" cascade;`);
    this.addSql(`drop table if exists "document_download" cascade;`);
  }
}
