import { Migration } from '@mikro-orm/migrations';

/**
 * Dienstleister (issue 23): which Dienstleister serves which property, the logins of a
 * Dienstleister's people, their invitations, and Aufträge (a Vorgang forwarded to a
 * Dienstleister) with their entries and files.
 */
export class Migration20261206145300_service_orders extends Migration {
  override name = 'Migration20261206145300_service_orders';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "service_provider_property" ("service_provider_id" uuid not null, "property_id" uuid not null, primary key ("service_provider_id", "property_id"));`,
    );
    this.addSql(
      `alter table "service_provider_property" add constraint "service_provider_property_service_provider_id_foreign" foreign key ("service_provider_id") references "service_provider" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "service_provider_property" add constraint "service_provider_property_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "service_provider_member" ("id" uuid not null, "organization_id" uuid not null, "portal_user_id" uuid not null, "provider_id" uuid not null, "ended_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "service_provider_member_portal_user_id_index" on "service_provider_member" ("portal_user_id");`);
    this.addSql(`create index "service_provider_member_provider_id_index" on "service_provider_member" ("provider_id");`);
    this.addSql(
      `alter table "service_provider_member" add constraint "service_provider_member_portal_user_id_provider_id_unique" unique ("portal_user_id", "provider_id");`,
    );
    this.addSql(
      `alter table "service_provider_member" add constraint "service_provider_member_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "service_provider_member" add constraint "service_provider_member_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id");`,
    );
    this.addSql(
      `alter table "service_provider_member" add constraint "service_provider_member_provider_id_foreign" foreign key ("provider_id") references "service_provider" ("id");`,
    );

    this.addSql(`alter table "invitation" add column "service_provider_id" uuid null;`);
    this.addSql(
      `alter table "invitation" add constraint "invitation_service_provider_id_foreign" foreign key ("service_provider_id") references "service_provider" ("id") on delete set null;`,
    );
    this.addSql(`alter table "invitation" drop constraint if exists "invitation_kind_check";`);
    this.addSql(
      `alter table "invitation" add constraint "invitation_kind_check" check ("kind" in ('contact', 'additional_user', 'neighbour', 'commercial_employee', 'service_provider'));`,
    );

    this.addSql(
      `create table "service_order" ("id" uuid not null, "organization_id" uuid not null, "ticket_id" uuid not null, "provider_id" uuid not null, "property_id" uuid not null, "status" text not null default 'new', "appointment_at" timestamptz null, "decline_reason" varchar(1000) not null default '', "include_contact" boolean not null default false, "share_appointment" boolean not null default false, "link_version" int not null default 1, "forwarded_by_id" uuid null, "closed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "service_order_provider_id_status_index" on "service_order" ("provider_id", "status");`);
    this.addSql(`create index "service_order_organization_id_status_index" on "service_order" ("organization_id", "status");`);
    this.addSql(`alter table "service_order" add constraint "service_order_ticket_id_provider_id_unique" unique ("ticket_id", "provider_id");`);
    this.addSql(
      `alter table "service_order" add constraint "service_order_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "service_order" add constraint "service_order_ticket_id_foreign" foreign key ("ticket_id") references "ticket" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "service_order" add constraint "service_order_provider_id_foreign" foreign key ("provider_id") references "service_provider" ("id");`,
    );
    this.addSql(`alter table "service_order" add constraint "service_order_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "service_order" add constraint "service_order_forwarded_by_id_foreign" foreign key ("forwarded_by_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "service_order" add constraint "service_order_status_check" check ("status" in ('new', 'accepted', 'scheduled', 'done', 'declined'));`,
    );

    this.addSql(
      `create table "service_order_entry" ("id" uuid not null, "organization_id" uuid not null, "order_id" uuid not null, "kind" text not null, "author_type" text not null, "author_staff_id" uuid null, "author_portal_user_id" uuid null, "author_name" varchar(200) not null, "body" text not null default '', "data" jsonb null, "copied_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "service_order_entry_order_id_created_at_index" on "service_order_entry" ("order_id", "created_at");`);
    this.addSql(
      `alter table "service_order_entry" add constraint "service_order_entry_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "service_order_entry" add constraint "service_order_entry_order_id_foreign" foreign key ("order_id") references "service_order" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "service_order_entry" add constraint "service_order_entry_author_staff_id_foreign" foreign key ("author_staff_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "service_order_entry" add constraint "service_order_entry_author_portal_user_id_foreign" foreign key ("author_portal_user_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "service_order_entry" add constraint "service_order_entry_kind_check" check ("kind" in ('forwarded', 'status', 'comment'));`);
    this.addSql(
      `alter table "service_order_entry" add constraint "service_order_entry_author_type_check" check ("author_type" in ('staff', 'provider', 'link'));`,
    );

    this.addSql(
      `create table "service_order_file" ("id" uuid not null, "organization_id" uuid not null, "order_id" uuid not null, "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "storage_key" varchar(64) not null, "thumb_key" varchar(64) null, "width" int null, "height" int null, "uploaded_by_id" uuid null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "service_order_file_order_id_index" on "service_order_file" ("order_id");`);
    this.addSql(
      `alter table "service_order_file" add constraint "service_order_file_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "service_order_file" add constraint "service_order_file_order_id_foreign" foreign key ("order_id") references "service_order" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "service_order_file" add constraint "service_order_file_uploaded_by_id_foreign" foreign key ("uploaded_by_id") references "portal_user" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "service_order_file" cascade;`);
    this.addSql(`drop table if exists "service_order_entry" cascade;`);
    this.addSql(`drop table if exists "service_order" cascade;`);
    this.addSql(`alter table "invitation" drop constraint if exists "invitation_kind_check";`);
    this.addSql(
      `alter table "invitation" add constraint "invitation_kind_check" check ("kind" in ('contact', 'additional_user', 'neighbour', 'commercial_employee'));`,
    );
    this.addSql(`alter table "invitation" drop column "service_provider_id";`);
    this.addSql(`drop table if exists "service_provider_member" cascade;`);
    this.addSql(`drop table if exists "service_provider_property" cascade;`);
  }
}
