import { Migration } from '@mikro-orm/migrations';

/**
 * Digitaler Hausaushang (issue 24): screens of a property that open their page by a secret
 * token (only its SHA-256 is stored), and the option "Im Hausaushang zeigen" on Mitteilungen.
 * Existing Mitteilungen stay off the screens (default false); the form ticks it for new ones.
 */
export class Migration20261206145017_hausaushang extends Migration {
  override name = 'Migration20261206145017_hausaushang';

  override up(): void | Promise<void> {
    this.addSql(`alter table "announcement" add column "show_on_display" boolean not null default false;`);
    this.addSql(
      `create table "display" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "name" varchar(100) not null, "orientation" text not null default 'landscape', "show_announcements" boolean not null default true, "show_appointments" boolean not null default true, "show_contact_persons" boolean not null default true, "show_management" boolean not null default true, "show_qr_code" boolean not null default true, "token_hash" varchar(64) null, "token_hint" varchar(8) null, "last_seen_at" timestamptz null, "created_by_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "display" add constraint "display_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "display_property_id_created_at_index" on "display" ("property_id", "created_at");`);
    this.addSql(`alter table "display" add constraint "display_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "display" add constraint "display_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "display" add constraint "display_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "display" add constraint "display_orientation_check" check ("orientation" in ('landscape', 'portrait'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "display" cascade;`);
    this.addSql(`alter table "announcement" drop column "show_on_display";`);
  }
}
