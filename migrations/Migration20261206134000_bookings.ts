import { Migration } from '@mikro-orm/migrations';

/**
 * Buchungen (issue 22): resources residents book, and their bookings and blocked periods.
 * No two live entries of one resource overlap: an exclusion constraint over
 * tstzrange(starts_at, ends_at) with btree_gist (for the uuid equality), so the database
 * refuses a double booking whatever the code does. PGlite loads its btree_gist extension
 * for this (src/db/orm.ts), so the same statement runs on both databases.
 */
export class Migration20261206134000_bookings extends Migration {
  override name = 'Migration20261206134000_bookings';

  override up(): void | Promise<void> {
    this.addSql(`create extension if not exists btree_gist;`);
    this.addSql(
      `create table "booking_resource" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "name" varchar(120) not null, "description" text not null default '', "place" varchar(200) not null default '', "persons" int null, "mode" text not null, "slot_minutes" int not null default 120, "check_in_time" varchar(5) not null default '15:00', "check_out_time" varchar(5) not null default '10:00', "opening_hours" jsonb not null, "lead_hours" int not null default 0, "advance_days" int not null default 60, "max_units" int not null default 1, "household_limit" int null, "household_period" text not null default 'week', "cancel_hours" int not null default 0, "needs_approval" boolean not null default false, "allowed_roles" text[] not null default '{}', "fee" varchar(200) not null default '', "photo_key" varchar(300) null, "photo_mime" varchar(100) null, "photo_size" int null, "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "booking_resource_property_id_index" on "booking_resource" ("property_id");`);
    this.addSql(
      `alter table "booking_resource" add constraint "booking_resource_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "booking_resource" add constraint "booking_resource_property_id_foreign" foreign key ("property_id") references "property" ("id");`,
    );
    this.addSql(`alter table "booking_resource" add constraint "booking_resource_mode_check" check ("mode" in ('slots', 'nights'));`);
    this.addSql(`alter table "booking_resource" add constraint "booking_resource_household_period_check" check ("household_period" in ('week', 'month'));`);

    this.addSql(
      `create table "booking" ("id" uuid not null, "organization_id" uuid not null, "resource_id" uuid not null, "property_id" uuid not null, "kind" text not null, "status" text not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "portal_user_id" uuid null, "household_key" varchar(80) null, "created_by_staff_id" uuid null, "note" varchar(500) not null default '', "cancel_reason" varchar(500) not null default '', "decided_at" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "booking_resource_id_starts_at_index" on "booking" ("resource_id", "starts_at");`);
    this.addSql(`create index "booking_property_id_starts_at_index" on "booking" ("property_id", "starts_at");`);
    this.addSql(`create index "booking_portal_user_id_starts_at_index" on "booking" ("portal_user_id", "starts_at");`);
    this.addSql(`create index "booking_household_key_starts_at_index" on "booking" ("household_key", "starts_at");`);
    this.addSql(`alter table "booking" add constraint "booking_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "booking" add constraint "booking_resource_id_foreign" foreign key ("resource_id") references "booking_resource" ("id");`);
    this.addSql(`alter table "booking" add constraint "booking_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "booking" add constraint "booking_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "booking" add constraint "booking_created_by_staff_id_foreign" foreign key ("created_by_staff_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "booking" add constraint "booking_kind_check" check ("kind" in ('booking', 'block'));`);
    this.addSql(`alter table "booking" add constraint "booking_status_check" check ("status" in ('requested', 'confirmed', 'declined', 'cancelled'));`);
    this.addSql(`alter table "booking" add constraint "booking_span_check" check ("ends_at" > "starts_at");`);
    // The one guarantee against double booking: requests waiting for approval hold their span too.
    this.addSql(
      `alter table "booking" add constraint "booking_no_overlap" exclude using gist ("resource_id" with =, tstzrange("starts_at", "ends_at", '[)') with &&) where ("status" in ('requested', 'confirmed'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "booking" cascade;`);
    this.addSql(`drop table if exists "booking_resource" cascade;`);
  }
}
