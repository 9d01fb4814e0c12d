import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 20, second half: a Verwaltung's Erscheinungsbild (portal name, logo, primary colour),
 * its Impressum and Datenschutzerklärung, and staff absences with a substitute.
 */
export class Migration20261206131000_brand extends Migration {
  override name = 'Migration20261206131000_brand';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "organization" add column "portal_name" varchar(100) null, add column "brand_color" varchar(7) null, add column "logo_type" varchar(4) null, add column "logo_key" varchar(300) null, add column "logo_png_key" varchar(300) null, add column "brand_version" int not null default 0, add column "imprint" text null, add column "privacy_policy" text null;`,
    );
    this.addSql(
      `create table "staff_absence" ("id" uuid not null, "organization_id" uuid not null, "staff_user_id" uuid not null, "substitute_id" uuid not null, "starts_on" date not null, "ends_on" date not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "staff_absence_organization_id_ends_on_index" on "staff_absence" ("organization_id", "ends_on");`);
    this.addSql(`create index "staff_absence_staff_user_id_starts_on_index" on "staff_absence" ("staff_user_id", "starts_on");`);
    this.addSql(
      `alter table "staff_absence" add constraint "staff_absence_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "staff_absence" add constraint "staff_absence_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "staff_absence" add constraint "staff_absence_substitute_id_foreign" foreign key ("substitute_id") references "staff_user" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "staff_absence" cascade;`);
    this.addSql(
      `alter table "organization" drop column "portal_name", drop column "brand_color", drop column "logo_type", drop column "logo_key", drop column "logo_png_key", drop column "brand_version", drop column "imprint", drop column "privacy_policy";`,
    );
  }
}
